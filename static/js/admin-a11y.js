// Django's tabular inlines (a fee's rates on its page) put each field in a cell under a column
// heading, with no label of its own, and leave some headings empty. Name each field after its
// column, and give an empty heading words a screen reader says, so the Configuration pages are
// as usable without sight as the rest of the system.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".inline-group table").forEach((table) => {
    const heads = Array.from(table.querySelectorAll("thead th"));
    heads.forEach((th) => {
      if (!th.textContent.trim()) {
        const words = document.createElement("span");
        words.className = "rc-sr-only";
        words.textContent = th.classList.contains("original") ? "Saved row" : "More";
        th.appendChild(words);
      }
    });
    // a heading may span columns: map each cell position to its heading's words
    const names = [];
    heads.forEach((th) => {
      for (let i = 0; i < (th.colSpan || 1); i += 1) names.push(th.textContent.replace("*", "").trim());
    });
    table.querySelectorAll("tbody tr").forEach((tr) => {
      Array.from(tr.cells).forEach((td, i) => {
        td.querySelectorAll("input:not([type=hidden]), select, textarea").forEach((field) => {
          const labelled = field.labels && field.labels.length;
          if (!labelled && !field.getAttribute("aria-label") && names[i]) {
            field.setAttribute("aria-label", names[i]);
          }
        });
      });
    });
  });
});
