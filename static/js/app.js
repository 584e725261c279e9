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

// Live validation of forms marked data-live-validate (the server checks the same rules again):
// required fields, no markup, case number characters, 0–24 hours, no future date, file count/size/type.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-live-validate]");
  if (!form) return;
  const labelOf = (el) => {
    const label = form.querySelector(`label[for="${el.id}"]`);
    return label ? label.textContent.replace(/[*（(].*$/, "").trim() : "";
  };
  const check = (el) => {
    const v = (el.value || "").trim();
    if (el.type === "file") {
      const max = parseInt(el.dataset.maxFiles || "5", 10);
      const bytes = parseInt(el.dataset.maxBytes || "0", 10);
      const files = Array.from(el.files || []);
      if (files.length > max) return `最多还能上传 ${Math.max(max, 0)} 个文件。`;
      const big = files.find((f) => bytes && f.size > bytes);
      if (big) return `“${big.name}”超过 ${Math.round(bytes / 1048576)} MB。`;
      const bad = files.find((f) => !/\.(pdf|docx|xlsx|jpe?g|png)$/i.test(f.name));
      if (bad) return `“${bad.name}”不是 PDF、docx、xlsx、JPG 或 PNG 文件。`;
      return "";
    }
    if (el.required && !v) return `请填写${labelOf(el)}。`;
    if (el.dataset.noMarkup && /[<>]/.test(v)) return "不能包含尖括号等标记字符。";
    if (el.maxLength > 0 && v.length > el.maxLength) return `不超过 ${el.maxLength} 个字。`;
    if (el.dataset.caseNo && v && !/^[0-9A-Za-z\u4e00-\u9fff〔〕（）()[\]【】\-—_·/.、：: ]+$/.test(v)) {
      return "案号只能包含汉字、字母、数字和〔〕()-/ 等符号。";
    }
    if (el.dataset.range && v) {
      const [lo, hi] = el.dataset.range.split(",").map(Number);
      const n = Number(v);
      if (Number.isNaN(n) || n < lo || n > hi) return `须为 ${lo} 至 ${hi} 之间的数字。`;
    }
    if (el.type === "date" && v && el.max && v > el.max) return "日期不能晚于今天。";
    return "";
  };
  const show = (el) => {
    const box = el.closest(".field") || el.parentElement;
    let out = box.querySelector(".error.live");
    const message = check(el);
    if (!out && message) {
      out = document.createElement("p");
      out.className = "error live";
      out.setAttribute("aria-live", "polite");
      box.appendChild(out);
    }
    if (out) out.textContent = message;
    box.classList.toggle("has-error", Boolean(message) || Boolean(box.querySelector(".error:not(.live)")));
    return !message;
  };
  const fields = form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]), textarea, select");
  fields.forEach((el) => {
    el.addEventListener(el.type === "file" || el.tagName === "SELECT" ? "change" : "input", () => show(el));
    el.addEventListener("blur", () => show(el));
  });
  form.addEventListener("submit", (event) => {
    const bad = Array.from(fields).filter((el) => !show(el));
    if (bad.length) {
      event.preventDefault();
      bad[0].focus();
    }
  });
});

// Search-as-you-type picker (macro `mentor_picker` in templates/macros/forms.html): a combobox over a JSON search that
// fills a hidden id. Without this script the hidden id stays disabled and the server resolves the typed text.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-picker]").forEach((box) => {
    const input = box.querySelector("[data-picker-text]");
    const value = box.querySelector("[data-picker-value]");
    const list = box.querySelector("[role=listbox]");
    const status = box.querySelector("[data-picker-status]");
    if (!input || !value || !list) return;
    value.disabled = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    let chosenLabel = value.value ? input.value : "";
    let options = [];
    let active = -1;
    let timer = null;
    let request = null;
    let composing = false;

    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const highlight = (index) => {
      options.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    const choose = (li) => {
      value.value = li.dataset.id;
      input.value = li.dataset.label;
      chosenLabel = li.dataset.label;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    };
    const note = (text) => {
      const li = document.createElement("li");
      li.className = "picker-note";
      li.setAttribute("role", "option");
      li.setAttribute("aria-disabled", "true");
      li.textContent = text;
      list.appendChild(li);
    };
    const show = (data) => {
      list.replaceChildren();
      options = data.results.map((m, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.id = m.id;
        li.dataset.label = m.label;
        li.textContent = m.label;
        if (m.load >= m.capacity && box.dataset.pickerFull) {
          const tag = document.createElement("span");
          tag.className = "tag warn";
          tag.textContent = box.dataset.pickerFull;
          li.append(" ", tag);
        }
        li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(li); });
        list.appendChild(li);
        return li;
      });
      if (!options.length) note(box.dataset.pickerEmpty);
      if (data.more) note(box.dataset.pickerMore);
      if (status) status.textContent = options.length ? box.dataset.pickerCount.replace("{n}", options.length) : box.dataset.pickerEmpty;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
    };
    const search = async () => {
      if (request) request.abort();
      request = new AbortController();
      const url = `${box.dataset.picker}?q=${encodeURIComponent(input.value.trim())}`;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: request.signal });
        if (!response.ok) throw new Error(response.status);
        const data = await response.json();
        if (document.activeElement === input) show(data);
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    };
    const later = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    };

    input.addEventListener("compositionstart", () => { composing = true; });
    input.addEventListener("compositionend", () => { composing = false; later(); });
    input.addEventListener("input", () => {
      if (input.value !== chosenLabel) value.value = "";  // typing drops the choice until a mentor is picked again
      if (!composing) later();
    });
    input.addEventListener("keydown", (event) => {
      if (event.isComposing || composing) return;
      const open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) { search(); return; }
        if (!options.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          value.value = "";
          chosenLabel = "";
        }
      } else if (event.key === "Tab" && open) {
        close();
      }
    });
    input.addEventListener("blur", () => window.setTimeout(close, 100));
    // A filter (GET) form sends only the id when a mentor is chosen, so the address stays short.
    const form = input.form;
    if (form && form.method.toLowerCase() === "get") {
      form.addEventListener("submit", () => { if (value.value) input.disabled = true; });
      window.addEventListener("pageshow", () => { input.disabled = false; });
    }
  });
});
