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
  form.querySelectorAll("button[type=submit]").forEach((b) => { b.classList.add("disabled"); });
});
// A form sent back with errors: the cursor goes to the first field marked invalid, or to the
// message above the form, not to the form's first field.
document.addEventListener("DOMContentLoaded", () => {
  const bad = document.querySelector("main .is-invalid, main [aria-invalid=true]");
  if (bad) { bad.focus(); return; }
  const box = document.querySelector("main .alert-danger");
  if (box && box.closest("form")) { box.setAttribute("tabindex", "-1"); box.setAttribute("role", "alert"); box.focus(); }
});
