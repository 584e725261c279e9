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

// Dossier batch jobs: poll <section data-job-poll="status-url"> and update the progress in place.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-job-poll]");
  if (!box || box.dataset.jobFinished === "true") return;
  const bar = box.querySelector("[data-job-progress]");
  const poll = async () => {
    let job;
    try {
      const response = await fetch(box.dataset.jobPoll, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status);
      job = await response.json();
    } catch (error) {
      window.setTimeout(poll, 5000);
      return;
    }
    box.querySelectorAll("[data-job-field]").forEach((el) => {
      const value = job[el.dataset.jobField];
      el.textContent = value === null || value === undefined ? "" : value;
      if (el.tagName === "PRE") el.hidden = !value;
    });
    if (bar) bar.value = job.percent;
    if (job.finished) {
      window.location.reload();  // the server renders the final state (download link, no cancel button)
      return;
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 700);
});
