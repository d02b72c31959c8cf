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

  // Tender buttons (cash, check, card, money order) open only the fields their tender needs; without
  // JavaScript every tender's fields show. Several may be open at once (a split tender); closing one
  // clears its fields so nothing hidden is posted.
  function setTender(fieldset, open, focus) {
    const button = document.getElementById(`tender-${fieldset.dataset.tender}`);
    if (!open) fieldset.querySelectorAll("input").forEach((el) => { el.value = ""; });
    fieldset.hidden = !open;
    fieldset.disabled = !open;
    if (button) button.setAttribute("aria-pressed", String(open));
    if (open && focus) fieldset.querySelector("input").focus();
    payTotals();
  }

  function setUpTenders() {
    const buttons = document.querySelector(".tender-buttons");
    if (!buttons) return;
    buttons.hidden = false;
    document.querySelectorAll(".tender-fields[data-closed]").forEach((fs) => setTender(fs, false, false));
    buttons.addEventListener("click", (e) => {
      const button = e.target.closest(".tender-toggle");
      if (!button) return;
      const fieldset = document.getElementById(button.getAttribute("aria-controls"));
      setTender(fieldset, fieldset.hidden, true);
    });
  }

  // Exact cash: Enter on an empty cash box fills in the cash still needed (change $0.00) and says so;
  // the next Enter posts. It never posts by itself, so a stray Enter (a scanner's) takes no money.
  function exactCash(e) {
    if (e.key !== "Enter" || e.target.id !== "id_cash" || e.target.value.trim() !== "") return;
    const due = [...document.querySelectorAll(".pay-input")].reduce((s, el) => s + cents(el.value), 0);
    const needed = due - (val("id_check_amount") + val("id_card_amount") + val("id_mo_amount"));
    if (needed <= 0) return;
    e.preventDefault();
    e.target.value = (needed / 100).toFixed(2);
    payTotals();
    const live = document.getElementById("pay-live");
    if (live) live.textContent = `Exact cash ${fmt(needed)}, change $0.00. Press Enter again to post.`;
  }

  // Alt+C goes to the cash box, opening cash if it was closed.
  function cashKey(e) {
    if (!(e.altKey && (e.key === "c" || e.key === "C"))) return;
    const fieldset = document.getElementById("fields-cash");
    if (!fieldset) return;
    e.preventDefault();
    if (fieldset.hidden) setTender(fieldset, true, false);
    document.getElementById("id_cash").focus();
  }

  document.addEventListener("keydown", (e) => { exactCash(e); cashKey(e); });
  setUpTenders();
  document.addEventListener("input", () => { payTotals(); countTotals(); });
  document.addEventListener("DOMContentLoaded", () => { payTotals(); countTotals(); });
  payTotals();
  countTotals();
})();
