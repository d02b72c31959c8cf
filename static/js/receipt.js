// The receipt page. "Print receipt" sends the counted print (a POST) and prints the 80 mm page it
// answers in a hidden frame, so a counter browser started with --kiosk-printing prints it on the
// receipt printer without a dialog (and the printer's driver kicks the drawer open). Without
// JavaScript the same form opens the page in a new tab, which prints itself.
// A workstation setting (this browser's localStorage) prints the original at once after posting.
// After a print, the cursor goes to "Next customer".
(() => {
  const KEY = "rc.autoPrintReceipts";
  const page = document.querySelector("[data-receipt]");
  if (!page) return;
  const form = document.getElementById("print-form-80mm");
  const next = document.getElementById("next-customer");
  const toggle = document.getElementById("auto-print");

  const printInFrame = async () => {
    const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    if (!response.ok || response.headers.get("X-Receipt-Print") !== "80mm") {
      window.location.reload(); // refused (another clerk's receipt …): the page shows why
      return;
    }
    let frame = document.getElementById("print-frame");
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "print-frame";
      frame.title = "Receipt being printed";
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.style.cssText = "position:absolute;width:80mm;height:10px;left:-9999px;border:0";
      document.body.appendChild(frame);
    }
    frame.srcdoc = await response.text();
    if (next) next.focus();
  };

  if (form) {
    form.addEventListener("submit", (e) => {
      if (form.dataset.submitted === "1") return; // app.js refuses a second click meanwhile
      e.preventDefault();
      printInFrame().catch(() => form.submit());
    });
  }
  if (toggle) {
    toggle.checked = window.localStorage.getItem(KEY) === "1";
    toggle.addEventListener("change", () => {
      if (toggle.checked) window.localStorage.setItem(KEY, "1");
      else window.localStorage.removeItem(KEY);
    });
  }
  if (form && page.dataset.new === "1" && page.dataset.prints === "0" && window.localStorage.getItem(KEY) === "1") {
    form.requestSubmit(); // the original, once: a reload of this page finds it printed
  }
})();
