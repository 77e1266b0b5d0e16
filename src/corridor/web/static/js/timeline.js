// The situation over time: a date slider over the scenario's timeline and the posted snapshots,
// redrawing the ground and listing every proposal's verdicts on that date, and the ground that
// changed hands between two chosen dates, hatched on the map.
import { fill, h } from "./dom.js";
import { formatNumber, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function dateLabel(entry) {
  if (entry.date === null) return t("timeline.as_loaded");
  const date = entry.posted ? t("timeline.posted", { date: entry.date }) : entry.date;
  return entry.note ? `${date}: ${entry.note}` : date;
}

function verdictItem(p) {
  const rejected = Object.entries(p.verdicts).filter(([, v]) => !v.acceptable)
    .map(([party]) => party);
  const text = p.error ? t("timeline.no_route", { error: p.error })
    : p.acceptable_to_all ? t("timeline.acceptable_to_all")
      : t("timeline.rejected_by", { parties: rejected.join(", ") });
  return h("li", { dataset: { proposal: p.proposal_id } },
    h("strong", {}, `${t("proposal.number", { number: p.proposal_id })}: `), text);
}

function changeSummary(collection) {
  const parts = collection.features.map((f) => {
    const p = f.properties;
    return t("changes.area", { from: p.from ?? t("list.nobody"), to: p.to ?? t("list.nobody"),
                               km2: formatNumber(p.km2, 1) });
  });
  return parts.length ? t("changes.summary", { count: parts.length, areas: parts.join("; ") })
    : t("changes.none");
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
  let verdicts = [];
  let changes = null;

  /** Write the date chosen, the dates offered, the verdicts and the changes in the language. */
  function relabel() {
    if (!dates.length) return;
    const label = dateLabel(dates[Number(slider.value)]);
    slider.setAttribute("aria-valuetext", label);
    $("timeline-shown").textContent = label;
    for (const select of [$("changes-from"), $("changes-to")]) {
      for (const option of select.options) {
        option.textContent = dateLabel(dates.find((d) => d.date === option.value));
      }
    }
    fill($("timeline-verdicts"), verdicts.map(verdictItem));
    $("changes-summary").textContent = changes ? changeSummary(changes) : "";
  }

  async function show() {
    const entry = dates[Number(slider.value)];
    const query = entry.date ? `?date=${encodeURIComponent(entry.date)}` : "";
    // Sliding past several dates asks for each; only the last answer is drawn.
    const ticket = ++asked;
    const picture = await api.get(`/api/situations/picture${query}`);
    if (ticket !== asked) return;
    map.drawBase({ ...mapData, ...picture.layers });
    shown = entry.date;
    verdicts = picture.proposals;
    relabel();
    document.body.dataset.situation = entry.date ?? "as loaded";
  }

  async function showChanges() {
    const from = $("changes-from").value;
    const to = $("changes-to").value;
    const query = new URLSearchParams({ from, to });
    changes = await api.get(`/api/situations/changes?${query}`);
    map.drawChanges(changes);
    relabel();
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
    for (const select of [$("changes-from"), $("changes-to")]) {
      const chosen = select.value;
      fill(select, dates.filter((d) => d.date).map((d) => h("option", { value: d.date })));
      if (chosen) select.value = chosen;
    }
    if (!$("changes-to").value || $("changes-to").selectedIndex === 0) {
      $("changes-to").selectedIndex = $("changes-to").options.length - 1;
    }
    relabel();
  }

  // Each date is a new situation for the server to stand on: wait until the slider rests.
  let resting = null;
  slider.addEventListener("change", () => {
    relabel();
    clearTimeout(resting);
    resting = setTimeout(() => show().catch(reportError), 300);
  });
  $("changes-show").addEventListener("click", () => showChanges().catch(reportError));
  $("changes-clear").addEventListener("click", () => {
    map.drawChanges(null);
    changes = null;
    relabel();
  });
  document.addEventListener("corridor:language", relabel);
  return { refresh };
}
