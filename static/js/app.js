// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive or final actions: <button data-confirm="...">
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // Live character count against a minimum: <textarea data-count-min="300"> + <span data-count-for="id">
  document.querySelectorAll("textarea[data-count-min]").forEach((area) => {
    const out = document.querySelector(`[data-count-for="${area.id}"]`);
    if (!out) return;
    const min = parseInt(area.dataset.countMin, 10);
    const update = () => {
      const n = area.value.replace(/\s/g, "").length;
      out.textContent = `${n} / ${min}`;
      out.classList.toggle("ok", n >= min);
    };
    area.addEventListener("input", update);
    update();
  });
  // Select-all checkbox for bulk actions: <input type="checkbox" data-select-all="name">
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`).forEach((b) => { b.checked = box.checked; });
    });
  });
});
