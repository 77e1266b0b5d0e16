// The situation over time: a date slider over the scenario's timeline and the posted snapshots,
// redrawing the ground and listing every proposal's verdicts on that date, and the ground that
// changed hands between two chosen dates, hatched on the map.
import { fill, h } from "./dom.js";

const $ = (id) => document.getElementById(id);

function dateLabel(entry) {
  if (entry.date === null) return "as loaded";
  return `${entry.date}${entry.posted ? " (posted)" : ""}${entry.note ? `: ${entry.note}` : ""}`;
}

function verdictItem(p) {
  const rejected = Object.entries(p.verdicts).filter(([, v]) => !v.acceptable)
    .map(([party]) => party);
  const text = p.error ? `no route (${p.error})`
    : p.acceptable_to_all ? "acceptable to every party" : `rejected by ${rejected.join(", ")}`;
  return h("li", { dataset: { proposal: p.proposal_id } },
    h("strong", {}, `Proposal ${p.proposal_id}: `), text);
}

function changeSummary(collection) {
  const parts = collection.features.map((f) => {
    const p = f.properties;
    return `${p.from ?? "nobody"} → ${p.to ?? "nobody"} ${p.km2.toFixed(1)} km²`;
  });
  return parts.length ? `${parts.length} areas changed hands: ${parts.join("; ")}`
    : "No ground changed hands between these dates.";
}

/**
 * Set up the slider under the map. `mapData` is `GET /api/map` (styles and fixed layers), the
 * ground of each date is drawn over it. Returns `{ refresh }`, to call when snapshots may
 * have been posted.
 */
export function setUpTimeline(api, map, mapData, reportError) {
  const slider = $("timeline-date");
  let dates = [];
  let shown = null;
  let asked = 0;

  async function show() {
    const entry = dates[Number(slider.value)];
    const query = entry.date ? `?date=${encodeURIComponent(entry.date)}` : "";
    // Sliding past several dates asks for each; only the last answer is drawn.
    const ticket = ++asked;
    const picture = await api.get(`/api/situations/picture${query}`);
    if (ticket !== asked) return;
    map.drawBase({ ...mapData, ...picture.layers });
    shown = entry.date;
    $("timeline-shown").textContent = dateLabel(entry);
    fill($("timeline-verdicts"), picture.proposals.map(verdictItem));
    document.body.dataset.situation = entry.date ?? "as loaded";
  }

  async function showChanges() {
    const from = $("changes-from").value;
    const to = $("changes-to").value;
    const query = new URLSearchParams({ from, to });
    const collection = await api.get(`/api/situations/changes?${query}`);
    map.drawChanges(collection);
    $("changes-summary").textContent = changeSummary(collection);
  }

  async function refresh() {
    const timeline = await api.get("/api/situations/timeline");
    $("timeline").hidden = timeline.dates.length === 0;
    if (!timeline.dates.length) return;
    const known = JSON.stringify(dates.map((d) => d.date));
    dates = [{ date: null, posted: false, note: "" }, ...timeline.dates];
    if (JSON.stringify(dates.map((d) => d.date)) === known) return;
    slider.max = String(dates.length - 1);
    // Where the user was, else the date in force.
    const at = dates.findIndex((d) => d.date === (shown ?? timeline.current));
    slider.value = String(Math.max(at, 0));
    slider.setAttribute("aria-valuetext", dateLabel(dates[Number(slider.value)]));
    $("timeline-shown").textContent = dateLabel(dates[Number(slider.value)]);
    for (const select of [$("changes-from"), $("changes-to")]) {
      const chosen = select.value;
      fill(select, dates.filter((d) => d.date).map((d) => h("option", { value: d.date },
        dateLabel(d))));
      if (chosen) select.value = chosen;
    }
    if (!$("changes-to").value || $("changes-to").selectedIndex === 0) {
      $("changes-to").selectedIndex = $("changes-to").options.length - 1;
    }
  }

  // Each date is a new situation for the server to stand on: wait until the slider rests.
  let resting = null;
  slider.addEventListener("change", () => {
    slider.setAttribute("aria-valuetext", dateLabel(dates[Number(slider.value)]));
    $("timeline-shown").textContent = dateLabel(dates[Number(slider.value)]);
    clearTimeout(resting);
    resting = setTimeout(() => show().catch(reportError), 300);
  });
  $("changes-show").addEventListener("click", () => showChanges().catch(reportError));
  $("changes-clear").addEventListener("click", () => {
    map.drawChanges(null);
    $("changes-summary").textContent = "";
  });
  return { refresh };
}
