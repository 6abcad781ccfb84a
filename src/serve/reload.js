// referat serve: reload the page after each rebuild, and show a failed build's errors over it.
// Added to pages only while they are served by `referat serve`, never to a build.
(() => {
  "use strict";

  const OVERLAY_ID = "referat-serve-errors";
  const events = new EventSource("/_referat/events");

  events.addEventListener("reload", () => location.reload());

  // The stream's own connection errors are "error" events too, without data: the browser
  // reconnects by itself, so only a build's errors (which carry data) are shown.
  events.addEventListener("error", (event) => {
    if (typeof event.data === "string") {
      show(event.data);
    }
  });

  function hide() {
    document.getElementById(OVERLAY_ID)?.remove();
  }

  function show(errors) {
    hide();
    const overlay = document.createElement("div");
    overlay.id = OVERLAY_ID;
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;" +
      "padding:2rem;background:rgba(24,24,24,.96);color:#fff;" +
      "font:1rem/1.5 system-ui,sans-serif;text-align:left";

    const heading = document.createElement("h2");
    heading.textContent = "The site did not build";
    heading.style.cssText = "margin:0 0 1rem;font-size:1.5rem;color:#fff";

    const text = document.createElement("pre");
    text.textContent = errors;
    text.style.cssText =
      "margin:0 0 1rem;white-space:pre-wrap;overflow-wrap:anywhere;" +
      "font:0.95rem/1.5 ui-monospace,Menlo,Consolas,monospace;color:#ffd2d2";

    const hint = document.createElement("p");
    hint.textContent =
      "Fix the file and save it: this page reloads as soon as the site builds.";
    hint.style.cssText = "margin:0 0 1rem";

    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.style.cssText =
      "font:inherit;padding:.4rem 1rem;border:2px solid #fff;border-radius:4px;" +
      "background:#000;color:#fff;cursor:pointer";
    const focused = document.activeElement;
    const dismiss = () => {
      hide();
      focused?.focus?.();
    };
    close.addEventListener("click", dismiss);
    overlay.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        dismiss();
      }
    });

    overlay.append(heading, text, hint, close);
    document.body.append(overlay);
    close.focus();
  }
})();
