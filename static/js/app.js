// Keyboard first: "/" jumps to the search box; a form posts once (the button disables on submit;
// the server also refuses a second post of the same form).
document.addEventListener("keydown", (e) => {
  const tag = (e.target.tagName || "").toLowerCase();
  const typing = tag === "input" || tag === "textarea" || tag === "select" || e.target.isContentEditable;
  if (e.key === "/" && !typing) {
    const box = document.getElementById("global-search");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  }
});
document.addEventListener("submit", (e) => {
  const form = e.target;
  if (form.method.toLowerCase() !== "post") return;
  if (form.dataset.submitted === "1") { e.preventDefault(); return; }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[type=submit]").forEach((b) => {
    b.classList.add("disabled");
    b.setAttribute("aria-disabled", "true");  // said to a screen reader (and not a contrast fault)
  });
  if (form.target === "_blank") {
    // a print opens in a new tab: once sent, every print button on the page says that the next
    // one is a duplicate, and can be pressed again after a moment
    document.querySelectorAll("[data-reprint-label]").forEach((b) => { b.textContent = b.dataset.reprintLabel; });
    window.setTimeout(() => {
      form.dataset.submitted = "";
      form.querySelectorAll("button[type=submit]").forEach((b) => {
        b.classList.remove("disabled");
        b.removeAttribute("aria-disabled");
      });
    }, 1500);
  }
});
// A form sent back with errors: the cursor goes to the first field marked invalid, or to the
// message above the form, not to the form's first field.
document.addEventListener("DOMContentLoaded", () => {
  const bad = document.querySelector("main .is-invalid, main [aria-invalid=true]");
  if (bad) { bad.focus(); return; }
  const box = document.querySelector("main .alert-danger");
  if (box && box.closest("form")) { box.setAttribute("tabindex", "-1"); box.setAttribute("role", "alert"); box.focus(); }
});
// A job's page follows the job without reloading (so focus and reading stay where they are):
// it asks for the job's state every two seconds, shows the progress, and loads the page once
// when the job has finished, failed or stopped.
document.addEventListener("DOMContentLoaded", () => {
  const page = document.querySelector("[data-job-status]");
  if (!page) return;
  const poll = async () => {
    try {
      const r = await fetch(page.dataset.jobStatus, { headers: { Accept: "application/json" } });
      if (!r.ok) return;
      const job = await r.json();
      if (!job.active || job.stalled) { window.location.replace(window.location.pathname); return; }
      const progress = document.getElementById("job-progress-text");
      if (progress) progress.textContent = job.total ? `${job.done.toLocaleString()} of ${job.total.toLocaleString()}` : String(job.done);
      const bar = document.getElementById("job-progress-bar");
      if (bar && job.percent !== null) { bar.style.width = `${job.percent}%`; bar.textContent = `${job.percent}%`; bar.parentElement.setAttribute("aria-valuenow", job.percent); }
      const status = document.getElementById("job-status");
      if (status) status.textContent = job.status_display;
      const message = document.getElementById("job-live-message");
      if (message) message.textContent = job.message;
    } finally {
      window.setTimeout(poll, 2000);
    }
  };
  window.setTimeout(poll, 2000);
});
// A table that scrolls sideways can be reached and scrolled from the keyboard (WCAG 2.1.1): a
// `.table-responsive` wrapper that a template left without it gets tabindex, role and a name (its
// table's caption or the heading just above it). Templates should say so themselves; this is the net.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".table-responsive:not([tabindex])").forEach((box) => {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    if (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby")) return;
    const caption = box.querySelector("caption");
    let heading = box.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    box.setAttribute("aria-label", (caption || heading || { textContent: "Table" }).textContent.trim());
  });
});
