// The report run page, live: the progress the render worker reports, then the page again once the
// report is ready or has failed. Without this file the page refreshes itself (its <noscript> refresh).
const run = document.querySelector("[data-report-run]");

async function poll() {
  try {
    const answer = await fetch(run.dataset.reportRun, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
    });
    if (answer.ok) {
      const state = await answer.json();
      if (state.status === "done" || state.status === "failed") {
        window.location.reload();
        return;
      }
      const { done, total } = state.progress;
      const text = document.getElementById("run-progress");
      const bar = document.getElementById("run-bar");
      if (state.status === "rendering") {
        const percent = total ? Math.round((100 * done) / total) : null;
        text.textContent =
          percent === null
            ? `Producing the report: ${done} rows so far.`
            : `Producing the report: ${done} of ${total} rows (${percent}%).`;
        if (bar && percent !== null) {
          bar.value = percent;
          bar.textContent = `${percent}%`;
        }
      }
    }
  } catch {
    // A lost answer: the next poll tries again.
  }
  window.setTimeout(poll, 1000);
}

if (run) {
  window.setTimeout(poll, 1000);
}
