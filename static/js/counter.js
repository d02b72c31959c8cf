// Live totals at the counter and on count sheets. The server recomputes everything on post;
// this only shows the clerk the figures before committing.
(function () {
  const cents = (v) => {
    const n = Number(String(v || "").replace(/[$,\s]/g, ""));
    return Number.isFinite(n) ? Math.round(n * 100) : 0;
  };
  const fmt = (c) => (c < 0 ? "-" : "") + "$" + (Math.abs(c) / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const val = (id) => cents((document.getElementById(id) || {}).value);

  function payTotals() {
    const due = [...document.querySelectorAll(".pay-input")].reduce((s, el) => s + cents(el.value), 0);
    const noncash = val("id_check_amount") + val("id_card_amount") + val("id_mo_amount");
    const cash = val("id_cash");
    const tendered = noncash + cash;
    const dueEl = document.getElementById("due");
    if (!dueEl) return;
    dueEl.textContent = fmt(due);
    document.getElementById("tendered").textContent = fmt(tendered);
    const label = document.getElementById("change-label");
    const change = document.getElementById("change");
    if (tendered < due) {
      label.textContent = "Short";
      change.textContent = fmt(due - tendered);
      change.className = "text-danger";
    } else {
      const cashNeeded = Math.max(due - noncash, 0);
      const credit = Math.max(noncash - due, 0);
      label.textContent = credit ? "To credit" : "Change";
      change.textContent = fmt(credit ? credit : cash - cashNeeded);
      change.className = credit ? "text-warning" : "text-success";
    }
  }

  function countTotals() {
    let total = 0;
    document.querySelectorAll("table.counts tbody tr").forEach((tr) => {
      const input = tr.querySelector(".count-input");
      if (!input) return;
      const amount = Math.round(Number(input.dataset.value) * 100) * (parseInt(input.value, 10) || 0);
      total += amount;
      tr.querySelector(".count-amount").textContent = fmt(amount);
    });
    const t = document.getElementById("counts-total");
    if (t) t.textContent = fmt(total);
  }

  document.addEventListener("input", () => { payTotals(); countTotals(); });
  document.addEventListener("DOMContentLoaded", () => { payTotals(); countTotals(); });
  payTotals();
  countTotals();
})();
