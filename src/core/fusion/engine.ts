/**
 * @module The fusion engine: observations in, events out. Pure and deterministic — the same set of
 * observations gives the same events (their last versions) whatever order they came in, as long as
 * none arrives later than the lateness allowance; how many provisional versions came out before
 * depends on when the engine was drained.
 *
 * - Acoustic arrivals wait until no arrival that could belong with them can still come (the
 *   observation-time watermark, minus the longest travel time and the lateness allowance; the
 *   watermark is the latest time that two sources have reached, decision 0017). Then, in
 *   time order, the earliest waiting arrival seeds a group: the arrivals physically compatible with it
 *   (close enough in time for their sensors' distance) are fitted robustly, and a fit with four or
 *   more consistent arrivals becomes an event; a seed that fits nothing is left unassociated (a false
 *   alarm, or a happening heard by too few sensors to place). A sensor that reports more arrivals
 *   than an array can tell apart has those arrivals set aside (decision 0016).
 * - Radar tracks, sightings and patrol reports each make an event at once. A radar track's event is
 *   provisional: when the acoustic group of the same launch is made, the event comes out again as a
 *   revision with the arrivals (its id stays the radar's); when none joins, it stands as it came.
 *
 * - With `provisional` on (a live server), the arrivals still waiting are also grouped as they stand at
 *   each drain, and each group comes out as a provisional event, revised as arrivals come, withdrawn
 *   if it stops standing (decision 0010). What stands in the end is the same as without.
 *
 * The engine keeps no state that must survive a restart: the runner re-reads the observations after
 * the store's cursor (`finalizedThroughSeq`) and the events come out the same.
 */
import { hypot } from '../hypot.ts';
import { soundsMayMeet, type TimedArrival } from './associate.ts';
import { cachedFrameAt } from './frame-cache.ts';
import { eventIdOf } from './event-id.ts';
import { MAX_HEARING_RANGE_M } from './fit-arrivals.ts';
import type { EventKind } from '../agreement/kinds.ts';
import type { Contribution, FusedEvent, GaussianPoint, LocalisationMethod } from './event.ts';
import {
  combineGaussianPoints,
  isPositiveDefinite2,
  mahalanobisSquared,
  type Covariance2,
} from './gaussian.ts';
import { byTimeThenKey, type FusionInput } from './inputs.ts';
import { LocalFrame, METRES_PER_DEGREE_LAT, metresPerDegreeLon } from './local-frame.ts';
import { mergeSpans, unsplitCursor, type SeqSpan } from './unsplit-cursor.ts';
import { countWithin, lowerBound, upperBound } from '../sorted.ts';

/** An event before the runner numbers its revision. */
export type EventDraft = Omit<FusedEvent, 'revision'>;

/**
 * One acoustic arrival: association's view of it (its sensor — the input's source —, place, time and
 * their errors, level and direction), with the observation it came from.
 */
export interface Arrival extends TimedArrival {
  readonly input: FusionInput;
  /** The sensor's classification. */
  readonly signal: 'launch' | 'impact' | 'impulse' | 'unknown';
}

/** A robust fit of a group of arrivals: the consistent ones, and where and when they came from. */
export interface ArrivalFit {
  readonly inliers: readonly Arrival[];
  readonly location: GaussianPoint;
  readonly timeMs: number;
  readonly timeSigmaMs: number;
  /** Residual of each inlier, seconds, in the order of `inliers`. */
  readonly residualsS: readonly number[];
  /**
   * Whether the grouping can be relied on as one source: enough arrivals that a coincidence of unrelated
   * ones would not fit, and no other grouping of the seed fits as well. Only then is the location
   * claimed as a point of origin (for attribution).
   */
  readonly trusted: boolean;
}

/**
 * Fits of groups of arrivals (a group's fit is a pure function of its arrivals, in order), kept by a
 * live engine from one drain to the next: the same hypotheses come back drain after drain while their
 * seeds wait.
 */
export interface GroupFits {
  get(group: readonly Arrival[]): ArrivalFit | null | undefined;
  set(group: readonly Arrival[], fit: ArrivalFit | null): void;
}

/**
 * Fits candidates robustly; null when fewer than four consistent arrivals place a source. `groupFits`,
 * when given, holds fits of groups already made, and takes those it makes.
 */
export type AcousticFitter = (candidates: readonly Arrival[], groupFits?: GroupFits) => ArrivalFit | null;

export interface EngineOptions {
  readonly fitAcoustic: AcousticFitter;
  /**
   * Farthest a sensor hears fire, m. Every sensor of one happening is within this of it, so two of its
   * arrivals are at most this range (and at most the sensors' distance) apart in travel time.
   */
  readonly maxHearingRangeM?: number;
  /** Slowest sound considered, m/s (the gate between two arrivals). */
  readonly minSoundSpeedMs?: number;
  /** How late (in observation time) an arrival may be and still join its group. */
  readonly latenessMs?: number;
  /**
   * Also make acoustic events from the arrivals at hand, before the watermark has passed them (see
   * {@link FusionEngine.drain}): what a live server shows. Off, only final events come out (a file).
   */
  readonly provisional?: boolean;
}

/**
 * The fewest arrivals a provisional group is shown with as soon as it forms (decision 0010). On a
 * simulated worst hour drained every seven observations, showing groups of four made 146 events that
 * were later withdrawn and up to nine states of one event; from six, 2 and at most three. Smaller
 * groups are shown once their seed's candidate window has closed.
 */
export const MIN_PROVISIONAL_ARRIVALS = 6;

/**
 * How much wider than stated a radar's 1 σ ellipse is taken (decision 0013): σ × √1.17, the
 * covariance × 1.17. A calibrated Gaussian ellipse misses its true point 1 % of the time at 99 %, and
 * each such miss on an attributed event counts as a false attribution: alone that is 1 %, twice what
 * the mission accepts. 1.17 is the largest widening with which the stated 95 % ellipse holds at most
 * 97 % of true points (−2 ln 0.03 / 5.991), the most conservative the calibration band allows; the
 * 99 % ellipse then misses 0.46 %.
 */
export const RADAR_COVARIANCE_WIDENING = 1.17;
const RADAR_SIGMA_WIDENING = Math.sqrt(RADAR_COVARIANCE_WIDENING);

const DEFAULTS = {
  // Association's own range: a gate with a longer one would bound overlaps association leaves open.
  maxHearingRangeM: MAX_HEARING_RANGE_M,
  minSoundSpeedMs: 320,
  latenessMs: 120_000,
  provisional: false,
};

/** What one drain gives. */
export interface Drained {
  /** New and revised events, in a stable order. */
  readonly events: EventDraft[];
  /**
   * The drafts in `events` that are provisional: made from the observations at hand, they may be an
   * earlier state of their event than one already made known (read again after a restart), and then
   * change nothing.
   */
  readonly provisional: ReadonlySet<EventDraft>;
  /**
   * Ids of events this engine showed provisionally that do not stand (their arrivals went to other
   * events, or to none): each is withdrawn where it stands. Only with `provisional` on.
   */
  readonly withdrawnIds: readonly string[];
  /**
   * The arrivals the final grouping retired without an event carrying their id, with their sequences:
   * an engine that ran before this one (a restart) may have shown an event under such an id, which
   * stands nowhere now. Only with `provisional` on.
   */
  readonly retiredIds: readonly { readonly id: string; readonly seq: number }[];
  /**
   * The arrivals this drain set aside unused because their sensor was crowded (see {@link CROWD_LIMIT}),
   * each once per engine: a restarted engine that re-reads one sets it aside again.
   */
  readonly setAside: readonly SetAsideArrival[];
  /** The highest sequence below which every observation is accounted for. */
  readonly finalizedThroughSeq: number;
}

/** An arrival fusion set aside unused, and why: its sensor reported more than an array tells apart. */
export interface SetAsideArrival {
  /** The observation's commit sequence. */
  readonly seq: number;
  readonly sourceId: string;
  /** Its observed time, ms. */
  readonly timeMs: number;
  readonly reason: 'crowded';
}

export class FusionEngine {
  readonly #options: Required<EngineOptions>;
  /** Arrivals not yet grouped, in time order (see `byTimeThenKey`). */
  #waiting: Arrival[] = [];
  /** Arrivals added since the last drain, in the order they came. */
  #arrived: Arrival[] = [];
  /** The watermark: the latest observation time two sources have reached (see {@link Watermark}). */
  readonly #watermark = new Watermark();
  #maxSeq = 0;
  #drafts: EventDraft[] = [];
  /** Those of `#drafts` that are provisional. */
  #provisionalDrafts = new Set<EventDraft>();
  /** Radar tracks waiting for an acoustic event of the same launch (or for no more to be possible). */
  #radar: WaitingRadar[] = [];
  /** The largest time uncertainty among the waiting radar tracks, ms (it bounds their time gate). */
  #radarSigmaMs = 0;
  /** The sequence span of groups made lately: a cursor never splits one (see `drain`). */
  #recentGroups: SeqSpan[] = [];
  /** Provisional acoustic events last shown, by id: their content as shown. */
  #shown = new Map<string, string>();
  /** A number for each arrival this engine took, the fits' cache key (sequences may repeat in tests). */
  readonly #arrivalKeys = new WeakMap<Arrival, number>();
  #nextArrivalKey = 0;
  /** The last provisional pass's fits by candidate set (their sequences): the next drain reuses them. */
  #provisionalFits = new Map<string, ArrivalFit | null>();
  /** Fits of groups made in this drain and the one before, by their arrivals' keys (provisional only). */
  #groupFitsNow = new Map<string, ArrivalFit | null>();
  #groupFitsBefore = new Map<string, ArrivalFit | null>();
  readonly #groupFits: GroupFits = {
    get: (group) => {
      const key = this.#groupKey(group);
      const now = this.#groupFitsNow.get(key);
      if (now !== undefined) return now;
      const before = this.#groupFitsBefore.get(key);
      if (before !== undefined) this.#groupFitsNow.set(key, before);
      return before;
    },
    set: (group, fit) => {
      this.#groupFitsNow.set(this.#groupKey(group), fit);
    },
  };
  /** {@link FusionEngine.#compatible}'s answers by seed, while the seed is held. */
  readonly #compatibility = new WeakMap<Arrival, Map<Arrival, boolean>>();
  /** Each acoustic sensor's arrival times still needed to tell crowded arrivals (see {@link CROWD_LIMIT}). */
  readonly #sensorTimes = new Map<string, SensorTimes>();
  /** Whether any sensor came near crowding (until then, no arrival is crowded and none is counted). */
  #anyDense = false;

  constructor(options: EngineOptions) {
    this.#options = { ...DEFAULTS, ...options };
  }

  /** Takes observations (any order); events come out of `drain`. */
  add(inputs: readonly FusionInput[]): void {
    for (const input of inputs) {
      this.#maxSeq = Math.max(this.#maxSeq, input.seq);
      // The watermark moves only with the kinds fusion waits for: a complaint or report with a wrong
      // clock (up to 24 h ahead passes validation) must not release arrivals before their partners.
      if (input.record.kind === 'acoustic' || input.record.kind === 'radar')
        this.#watermark.note(input.sourceId, input.observedAtMs);
      const arrival = arrivalOf(input);
      if (arrival !== undefined) {
        this.#arrived.push(arrival);
        this.#noteTime(arrival);
        continue;
      }
      const draft = singleEvent(input);
      if (draft === undefined) continue;
      // A radar track is an event at once (provisional: an acoustic group of the same launch may
      // still revise it); it waits beside the acoustic arrivals for that group.
      if (input.record.kind === 'radar') {
        this.#radar.push({ input, draft });
        this.#radarSigmaMs = Math.max(this.#radarSigmaMs, draft.timeSigmaMs);
        this.#provisionalDrafts.add(draft);
      }
      this.#drafts.push(draft);
    }
  }

  /**
   * The events completed since the last call, in a stable order, and the highest sequence below which
   * every observation is accounted for. `final` groups every waiting arrival (end of input).
   *
   * With `provisional` on, the arrivals still waiting are also grouped as they stand, by the same
   * rules, and each group that differs from what was last shown comes out as a provisional event (id
   * of its first arrival, as its final event will have). One that changes is revised; one that no
   * longer stands is in `withdrawnIds`; the final grouping comes out in full (the pipeline keeps only
   * what changed). A restarted engine does not know what the last one showed: `retiredIds` names every
   * arrival the final grouping retires without an event carrying its id.
   */
  drain(final = false): Drained {
    const { latenessMs } = this.#options;
    const maxTravelMs = maxTravelMsOf(this.#options);
    const horizon = final ? Number.POSITIVE_INFINITY : this.#watermark.ms - latenessMs - maxTravelMs;
    const arrived = this.#arrived.length > 0 || this.#drafts.length > 0;
    if (this.#arrived.length > 0) {
      // The waiting list is in order already: the sort finds that run and places the new ones.
      this.#waiting.push(...this.#arrived);
      this.#waiting.sort((a, b) => byTimeThenKey(a.input, b.input));
      this.#arrived = [];
    }
    this.#radar.sort((a, b) => a.draft.timeMs - b.draft.timeMs);
    const events = this.#drafts;
    const provisional = this.#provisionalDrafts;
    this.#drafts = [];
    this.#provisionalDrafts = new Set();
    const tracking = this.#options.provisional;
    /** Ids of the final events of this drain, and the arrivals it retired (id and sequence). */
    const finalIds = new Set<string>();
    const retired: { id: string; seq: number }[] = [];
    const setAside: SetAsideArrival[] = [];
    const retire = (a: Arrival): void => {
      if (tracking) retired.push({ id: eventId(a.input), seq: a.input.seq });
    };
    // A radar track's own event, out as it stands (not as an earlier state), once in this drain.
    const standAlone = (draft: EventDraft): void => {
      provisional.delete(draft);
      if (!events.includes(draft)) events.push(draft);
    };
    // Seeds are taken in time order; arrivals a group takes are marked, and the list is compacted
    // once at the end (removing them one group at a time was quadratic on a worst day).
    const waiting = this.#waiting;
    // A crowded arrival counts as taken from the start: it neither seeds a group nor joins one.
    const crowded = this.#crowded(waiting);
    const taken = Uint8Array.from(crowded);
    // A seed is taken once every arrival that decides whether it or a candidate of it is crowded is
    // in. Those still to come are dated from the watermark less the lateness allowance on, which is
    // the horizon plus the longest travel; a candidate lies up to the longest travel and the slack
    // after its seed, and counts half a window after itself: so seeds up to half a window and the
    // slack before the horizon.
    const seedHorizon = horizon - CROWD_WINDOW_MS / 2 - CANDIDATE_SLACK_MS;
    // Per sensor, its crowded seeds as stretches of overlapping windows (seeds come in time order).
    const stretches = new Map<string, CrowdedStretch[]>();
    let next = 0;
    for (; next < waiting.length; next++) {
      const seed = waiting[next];
      if (seed === undefined || seed.timeMs > seedHorizon) break;
      if (taken[next] === 1) {
        if (crowded[next] === 1) {
          retire(seed);
          setAside.push({
            seq: seed.input.seq,
            sourceId: seed.sensorId,
            timeMs: seed.timeMs,
            reason: 'crowded',
          });
          // Set aside for its neighbours: a restart must re-read them together, or it would count fewer.
          noteStretch(stretches, seed, CROWD_WINDOW_MS / 2);
        }
        continue;
      }
      const { candidates, at } = this.#candidates(waiting, taken, next, maxTravelMs);
      let minSeq = Number.POSITIVE_INFINITY;
      let maxSeq = 0;
      for (const a of candidates) {
        minSeq = Math.min(minSeq, a.input.seq);
        maxSeq = Math.max(maxSeq, a.input.seq);
      }
      taken[next] = 1;
      const fit = candidates.length >= 4 ? this.#fit(candidates, this.#provisionalFits) : null;
      // The decision for this seed depended on every candidate: a restart must re-read them together.
      this.#recentGroups.push({ minSeq, maxSeq });
      if (fit === null || !fit.inliers.includes(seed)) {
        retire(seed);
        continue;
      }
      let event = acousticEvent(fit);
      const seqs = fit.inliers.map((a) => a.input.seq);
      const partner = this.#takeRadarPartner(event);
      if (partner !== undefined) {
        // Its provisional event, if not out yet, is superseded before it goes.
        const own = events.indexOf(partner.draft);
        if (own !== -1) events.splice(own, 1);
        event = withRadar(partner.draft, event, fit.trusted);
        seqs.push(partner.input.seq);
      }
      finalIds.add(event.id);
      // Out even when shown as it is: a store may hold another state (a provisional draft it kept back).
      events.push(event);
      this.#recentGroups.push({ minSeq: Math.min(...seqs), maxSeq: Math.max(...seqs) });
      const used = new Set(fit.inliers);
      candidates.forEach((a, k) => {
        if (used.has(a)) taken[at[k] ?? 0] = 1;
      });
      // Every arrival whose id the event does not carry (merged with a radar track, not even the seed's).
      for (const a of fit.inliers) if (a !== seed || partner !== undefined) retire(a);
    }
    // Each stretch's arrivals as one span: a span per seed cost a pass over its window each, quadratic
    // in a flood of thousands of arrivals within seconds.
    for (const [sensorId, list] of stretches)
      for (const stretch of list) this.#recentGroups.push(this.#spanWithin(sensorId, stretch));
    this.#waiting = waiting.filter((_, i) => i >= next && (taken[i] !== 1 || crowded[i] === 1));
    // Whether an arrival is crowded is still to be decided for those waiting and those to come (dated
    // from the horizon on); their windows reach back from there. The bound only rises with the horizon.
    const undecidedFromMs = Math.min(this.#waiting[0]?.timeMs ?? horizon, horizon);
    this.#forgetTimesBefore(undecidedFromMs);
    // A radar track no acoustic event can join any more stops waiting: its event went out when it came.
    // (An acoustic event is made once its seed, heard up to one longest travel after the launch, is
    // past the seeds' horizon.)
    const radarDone = final ? Number.POSITIVE_INFINITY : seedHorizon - maxTravelMs;
    const stillWaiting = this.#radar.filter((r) => r.draft.timeMs > radarDone);
    if (tracking)
      for (const r of this.#radar)
        if (r.draft.timeMs <= radarDone && !finalIds.has(r.draft.id)) {
          // It may have been shown merged with a provisional group: it stands as it came.
          standAlone(r.draft);
          finalIds.add(r.draft.id);
        }
    this.#radar = stillWaiting;
    this.#radarSigmaMs = stillWaiting.reduce((most, r) => Math.max(most, r.draft.timeSigmaMs), 0);
    // Every observation up to `through` is accounted for, and no group straddles it: re-reading from
    // there after a restart regroups whole groups only, so the same events come out.
    let through = this.#maxSeq;
    for (const a of this.#waiting) through = Math.min(through, a.input.seq - 1);
    for (const r of this.#radar) through = Math.min(through, r.input.seq - 1);
    // Each undecided arrival counts its sensor's arrivals from half a window before it: a restart reads
    // them again (and, below, whole groups with them).
    through = Math.min(through, this.#earliestSeqDatedFrom(undecidedFromMs - CROWD_WINDOW_MS / 2) - 1);
    through = unsplitCursor(through, this.#recentGroups);
    const withdrawn = new Set<string>();
    const retiredIds: { id: string; seq: number }[] = [];
    if (tracking) {
      // Nothing added and nothing made final: the groups at hand are those shown.
      const unchanged = !arrived && finalIds.size === 0 && retired.length === 0;
      const shownNow = final
        ? new Map<string, string>()
        : unchanged
          ? this.#shown
          : this.#provisionalPass(events, provisional, maxTravelMs);
      for (const id of this.#shown.keys()) {
        if (finalIds.has(id) || shownNow.has(id)) continue;
        // A radar track's event shown merged with a group that no longer stands: the track alone.
        const radar = this.#radar.find((r) => r.draft.id === id);
        if (radar === undefined) withdrawn.add(id);
        else standAlone(radar.draft);
      }
      for (const r of retired)
        if (!finalIds.has(r.id) && !shownNow.has(r.id) && !withdrawn.has(r.id)) retiredIds.push(r);
      this.#shown = shownNow;
    }
    // Group fits not asked for in this drain or the last are dropped (a drain that fitted nothing keeps both).
    if (this.#groupFitsNow.size > 0) {
      this.#groupFitsBefore = this.#groupFitsNow;
      this.#groupFitsNow = new Map();
    }
    events.sort((a, b) => a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // Spans wholly at or below the cursor can never be split again (it only moves forward); the rest
    // are kept merged.
    this.#recentGroups = mergeSpans(this.#recentGroups).filter((g) => g.maxSeq > through);
    return {
      events,
      provisional,
      withdrawnIds: [...withdrawn],
      retiredIds,
      setAside,
      finalizedThroughSeq: through,
    };
  }

  /**
   * Groups the arrivals still waiting as they stand (the same seeds, candidates and fits as the final
   * grouping), adds to `events` each provisional event that differs from what was last shown, and
   * returns what stands shown now. Fits are kept by candidate set, so a seed nothing new reached is not
   * fitted again.
   */
  #provisionalPass(
    events: EventDraft[],
    provisional: Set<EventDraft>,
    maxTravelMs: number,
  ): Map<string, string> {
    const waiting = this.#waiting;
    const taken = Uint8Array.from(this.#crowded(waiting));
    const partners = new Set<WaitingRadar>();
    const fits = new Map<string, ArrivalFit | null>();
    const shown = new Map<string, string>();
    for (let next = 0; next < waiting.length; next++) {
      const seed = waiting[next];
      if (seed === undefined || taken[next] === 1) continue;
      const { candidates, at } = this.#candidates(waiting, taken, next, maxTravelMs);
      if (candidates.length < 4) continue;
      const fit = this.#fit(candidates, this.#provisionalFits, fits);
      if (fit === null || !fit.inliers.includes(seed)) continue;
      let event = acousticEvent(fit);
      const partner = this.#findRadarPartner(event, partners);
      if (partner !== undefined) {
        partners.add(partner);
        event = withRadar(partner.draft, event, fit.trusted);
      }
      const used = new Set(fit.inliers);
      candidates.forEach((a, k) => {
        if (used.has(a)) taken[at[k] ?? 0] = 1;
      });
      // Smaller groups are shown once no arrival in order can join their seed's window any more
      // (decision 0010): before that, at worst-day density they are mostly coincidences that the next
      // arrivals regroup, and showing each made events flicker. After it, only an arrival delivered
      // late can change them, which the lateness allowance waits for before they are final.
      if (fit.inliers.length < MIN_PROVISIONAL_ARRIVALS && !this.#windowClosed(seed, maxTravelMs)) continue;
      const content = JSON.stringify(event);
      shown.set(event.id, content);
      if (this.#shown.get(event.id) === content) continue;
      // A radar track's own draft still in this drain is superseded before it goes.
      if (partner !== undefined) {
        const own = events.indexOf(partner.draft);
        if (own !== -1) events.splice(own, 1);
      }
      events.push(event);
      provisional.add(event);
    }
    this.#provisionalFits = fits;
    return shown;
  }

  /**
   * Whether the latest observation time has passed the end of the seed's candidate window. Every
   * earlier seed's window ended earlier still, so the seed's group is then made of arrivals at hand
   * alone: the final grouping differs from it only by arrivals delivered later than others of their
   * time. (The sound has also reached every sensor in hearing range by then: the seed heard it first.)
   */
  #windowClosed(seed: Arrival, maxTravelMs: number): boolean {
    return seed.timeMs + maxTravelMs + CANDIDATE_SLACK_MS <= this.#watermark.ms;
  }

  /**
   * The arrivals not yet taken that could have heard the same happening as the seed `waiting[seed]`,
   * the seed first, with their places in `waiting`. Waiting arrivals are in time order: only those
   * within the longest travel time can join.
   */
  #candidates(
    waiting: readonly Arrival[],
    taken: Uint8Array,
    seed: number,
    maxTravelMs: number,
  ): { candidates: Arrival[]; at: number[] } {
    const candidates: Arrival[] = [];
    const at: number[] = [];
    const first = waiting[seed];
    if (first === undefined) return { candidates, at };
    for (let i = seed; i < waiting.length; i++) {
      const a = waiting[i];
      if (a === undefined || a.timeMs - first.timeMs > maxTravelMs + CANDIDATE_SLACK_MS) break;
      if (taken[i] === 1 || !this.#compatible(first, a)) continue;
      candidates.push(a);
      at.push(i);
    }
    return candidates.length > MAX_CANDIDATES_PER_SENSOR ? capCandidates(candidates, at) : { candidates, at };
  }

  /** Notes an acoustic arrival's time under its sensor (see {@link FusionEngine.#crowded}). */
  #noteTime(arrival: Arrival): void {
    let sensor = this.#sensorTimes.get(arrival.sensorId);
    if (sensor === undefined) {
      sensor = { times: [], seqs: [], dense: false };
      this.#sensorTimes.set(arrival.sensorId, sensor);
    }
    const { times, seqs } = sensor;
    const t = arrival.timeMs;
    // Arrivals come nearly in time order: usually an append.
    if (times.length === 0 || (times.at(-1) ?? t) <= t) {
      times.push(t);
      seqs.push(arrival.input.seq);
    } else {
      const at = lowerBound(times, t);
      times.splice(at, 0, t);
      seqs.splice(at, 0, arrival.input.seq);
    }
    // Any window of CROWD_WINDOW_MS holding more than CROWD_LIMIT arrivals holds the last of them to
    // come, and lies within CROWD_WINDOW_MS of it either side: a sensor none of whose arrivals had that
    // many so near never had a crowded arrival, and its arrivals need no counting.
    if (!sensor.dense && countWithin(times, t - CROWD_WINDOW_MS, t + CROWD_WINDOW_MS) > CROWD_LIMIT) {
      sensor.dense = true;
      this.#anyDense = true;
    }
  }

  /**
   * Which waiting arrivals are crowded: their sensor reported more than {@link CROWD_LIMIT} arrivals
   * within {@link CROWD_WINDOW_MS} centred on them. Set by the times noted, whatever their order.
   */
  #crowded(waiting: readonly Arrival[]): Uint8Array {
    const flags = new Uint8Array(waiting.length);
    if (!this.#anyDense) return flags;
    const half = CROWD_WINDOW_MS / 2;
    for (let i = 0; i < waiting.length; i++) {
      const a = waiting[i];
      const sensor = a === undefined ? undefined : this.#sensorTimes.get(a.sensorId);
      if (a === undefined || sensor?.dense !== true) continue;
      if (countWithin(sensor.times, a.timeMs - half, a.timeMs + half) > CROWD_LIMIT) flags[i] = 1;
    }
    return flags;
  }

  /**
   * The sequences of the arrivals crowded seeds were counted with: those of their sensor within the
   * stretch of their windows, the seeds' own among them.
   */
  #spanWithin(sensorId: string, stretch: CrowdedStretch): SeqSpan {
    const sensor = this.#sensorTimes.get(sensorId);
    let { minSeq, maxSeq } = stretch;
    if (sensor !== undefined) {
      const to = upperBound(sensor.times, stretch.toMs);
      for (let i = lowerBound(sensor.times, stretch.fromMs); i < to; i++) {
        const seq = sensor.seqs[i] ?? minSeq;
        minSeq = Math.min(minSeq, seq);
        maxSeq = Math.max(maxSeq, seq);
      }
    }
    return { minSeq, maxSeq };
  }

  /** The lowest sequence among the arrivals noted with times from `fromMs` on (∞ if none). */
  #earliestSeqDatedFrom(fromMs: number): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const { times, seqs } of this.#sensorTimes.values())
      for (let i = lowerBound(times, fromMs); i < times.length; i++)
        earliest = Math.min(earliest, seqs[i] ?? earliest);
    return earliest;
  }

  /** Forgets noted times no window of an arrival dated from `earliestMs` on can reach. */
  #forgetTimesBefore(earliestMs: number): void {
    const before = earliestMs - CROWD_WINDOW_MS;
    for (const [id, sensor] of this.#sensorTimes) {
      const keep = lowerBound(sensor.times, before);
      if (keep === sensor.times.length && !sensor.dense) this.#sensorTimes.delete(id);
      else if (keep > 0) {
        sensor.times.splice(0, keep);
        sensor.seqs.splice(0, keep);
      }
    }
  }

  #groupKey(arrivals: readonly Arrival[]): string {
    return arrivals.map((a) => this.#keyOf(a)).join(',');
  }

  #keyOf(arrival: Arrival): number {
    let key = this.#arrivalKeys.get(arrival);
    if (key === undefined) {
      key = this.#nextArrivalKey++;
      this.#arrivalKeys.set(arrival, key);
    }
    return key;
  }

  /**
   * The fit of a candidate set (a pure function of it), from `known` when it was fitted lately; kept in
   * `into` as well when given.
   */
  #fit(
    candidates: readonly Arrival[],
    known: ReadonlyMap<string, ArrivalFit | null>,
    into?: Map<string, ArrivalFit | null>,
  ): ArrivalFit | null {
    if (!this.#options.provisional) return this.#options.fitAcoustic(candidates);
    const key = this.#groupKey(candidates);
    const cached = known.get(key);
    const fit = cached !== undefined ? cached : this.#options.fitAcoustic(candidates, this.#groupFits);
    into?.set(key, fit);
    return fit;
  }

  /**
   * The waiting radar track of the same launch as an acoustic launch event, taken out of waiting. The
   * tracks are in time order (see `drain`), so only those within the time gate are looked at.
   */
  #takeRadarPartner(event: EventDraft): WaitingRadar | undefined {
    const partner = this.#findRadarPartner(event, new Set());
    if (partner !== undefined) this.#radar.splice(this.#radar.indexOf(partner), 1);
    return partner;
  }

  /** The waiting radar track of the same launch as an acoustic launch event, other than `excluded`. */
  #findRadarPartner(event: EventDraft, excluded: ReadonlySet<WaitingRadar>): WaitingRadar | undefined {
    if (event.phase !== 'launch' || event.location === null) return undefined;
    const radar = this.#radar;
    const reach = 3 * hypot(this.#radarSigmaMs, event.timeSigmaMs) + 1_000;
    let low = 0;
    let high = radar.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((radar[mid]?.draft.timeMs ?? 0) < event.timeMs - reach) low = mid + 1;
      else high = mid;
    }
    let best: { index: number; distance: number } | undefined;
    for (let index = low; index < radar.length; index++) {
      const r = radar[index];
      if (r === undefined || r.draft.timeMs > event.timeMs + reach) break;
      const origin = r.draft.origin;
      if (origin === null || excluded.has(r)) continue;
      const dt = Math.abs(r.draft.timeMs - event.timeMs);
      if (dt > 3 * hypot(r.draft.timeSigmaMs, event.timeSigmaMs) + 1_000) continue;
      const distance = separation(origin, event.location);
      if (distance <= RADAR_MERGE_CHI2 && (best === undefined || distance < best.distance))
        best = { index, distance };
    }
    return best === undefined ? undefined : radar[best.index];
  }

  /**
   * Whether `a` could have heard the same happening as `seed` (it came no earlier). A pure function
   * of the two. The tests on signals, times and distance cost less than looking an answer up; the
   * direction test's answer is kept per seed when provisional passes ask it again at every drain.
   */
  #compatible(seed: Arrival, a: Arrival): boolean {
    if (a === seed) return true;
    if (!this.#timesAndPlacesAllow(seed, a)) return false;
    // Without provisional passes each pair is asked once: nothing to keep.
    if (!this.#options.provisional) return this.#directionsAllow(seed, a);
    let known = this.#compatibility.get(seed);
    if (known === undefined) {
      known = new Map();
      this.#compatibility.set(seed, known);
    }
    let answer = known.get(a);
    if (answer === undefined) {
      answer = this.#directionsAllow(seed, a);
      known.set(a, answer);
    }
    return answer;
  }

  /** Whether the two arrivals' classes agree and their sensors are near enough for their times. */
  #timesAndPlacesAllow(seed: Arrival, a: Arrival): boolean {
    if (!signalsAgree(seed.signal, a.signal)) return false;
    const dt = a.timeMs - seed.timeMs;
    if (dt < 0) return false;
    const d = roughDistanceM(seed.lat, seed.lon, a.lat, a.lon);
    if (d > 2 * this.#options.maxHearingRangeM) return false;
    const slackMs = 4 * hypot(seed.sigmaMs, a.sigmaMs);
    // Both sensors within the range of one source: the later arrival's extra path is at most their
    // distance and at most the range.
    const extraPathM = Math.min(d, this.#options.maxHearingRangeM);
    return dt <= (extraPathM / this.#options.minSoundSpeedMs) * 1000 + slackMs;
  }

  /**
   * Where both arrays give a direction, whether the two overlap within hearing range where the source
   * could give their time difference (decision 0014); association asks the same of the seed's
   * candidates, so an arrival set aside here would have been set aside there.
   */
  #directionsAllow(seed: Arrival, a: Arrival): boolean {
    return soundsMayMeet(
      seed,
      a,
      cachedFrameAt(seed.lat, seed.lon),
      this.#options.maxHearingRangeM,
      GATE_SLACK_S,
    );
  }
}

/** Crowded seeds of one sensor whose counting windows overlap: the windows' extent and the seeds' sequences. */
interface CrowdedStretch {
  readonly fromMs: number;
  toMs: number;
  minSeq: number;
  maxSeq: number;
}

/** Adds a crowded seed's window (±`halfMs`) to its sensor's last stretch, or starts a new one. */
function noteStretch(stretches: Map<string, CrowdedStretch[]>, seed: Arrival, halfMs: number): void {
  let list = stretches.get(seed.sensorId);
  if (list === undefined) stretches.set(seed.sensorId, (list = []));
  const last = list.at(-1);
  const seq = seed.input.seq;
  if (last !== undefined && seed.timeMs - halfMs <= last.toMs) {
    last.toMs = Math.max(last.toMs, seed.timeMs + halfMs);
    last.minSeq = Math.min(last.minSeq, seq);
    last.maxSeq = Math.max(last.maxSeq, seq);
  } else list.push({ fromMs: seed.timeMs - halfMs, toMs: seed.timeMs + halfMs, minSeq: seq, maxSeq: seq });
}

interface WaitingRadar {
  readonly input: FusionInput;
  readonly draft: EventDraft;
}

/** How far past the longest travel time after a seed its candidate window reaches, ms. */
const CANDIDATE_SLACK_MS = 1_000;

/**
 * A sensor's arrival is crowded — set aside, neither seed nor candidate — when the sensor reported
 * more than this many arrivals within {@link CROWD_WINDOW_MS} centred on it (decision 0016). No array
 * tells that many sounds apart; a sensor that reports them is broken or lying, and association's work
 * grows with the cube of a sensor's arrivals. On six simulated worst days a sensor reported at most 33
 * within any 10 s, rocket salvos included.
 */
export const CROWD_LIMIT = 64;
export const CROWD_WINDOW_MS = 10_000;

/**
 * The most arrivals one seed's candidates take from one sensor (the earliest), and in all (decision
 * 0016): on the same worst days a seed had at most 55 from one sensor and 175 in all. They bound a
 * seed's work near a sensor that stays just under {@link CROWD_LIMIT}.
 */
export const MAX_CANDIDATES_PER_SENSOR = 64;
export const MAX_CANDIDATES = 512;

/**
 * The latest observation time that two sources have reached: the second latest of the sources'
 * latest times, none while fewer than two have reported (decision 0017). It never moves back. One
 * sensor whose clock runs ahead, or that lies, cannot move it, not even after a restart whose first
 * page holds that sensor's observations alone. Validation accepts times up to 24 h ahead; with the
 * latest time alone, one such arrival released every waiting arrival at once, and later ones were
 * grouped as they came. On a simulated worst day drained every 20 observations, one arrival dated
 * 23 h ahead cut the next five hours' acoustic events from 261 to 51.
 */
class Watermark {
  readonly #latest = new Map<string, number>();
  /** The two sources with the latest times, latest first. */
  #first: { source: string; ms: number } | undefined;
  #second: { source: string; ms: number } | undefined;

  note(source: string, ms: number): void {
    if (ms <= (this.#latest.get(source) ?? Number.NEGATIVE_INFINITY)) return;
    this.#latest.set(source, ms);
    // A source's latest time only grows: the two latest change only by the one that moved.
    if (this.#first?.source === source) this.#first = { source, ms };
    else if (this.#second?.source === source || ms > (this.#second?.ms ?? Number.NEGATIVE_INFINITY))
      this.#second = { source, ms };
    if (this.#second !== undefined && this.#second.ms > (this.#first?.ms ?? Number.NEGATIVE_INFINITY))
      [this.#first, this.#second] = [this.#second, this.#first];
  }

  /** The watermark, ms (−∞ before two sources have reported). */
  get ms(): number {
    return this.#second?.ms ?? Number.NEGATIVE_INFINITY;
  }
}

/**
 * An acoustic sensor's noted arrival times, ascending, with their observations' sequences, and whether
 * it ever came near crowding.
 */
interface SensorTimes {
  readonly times: number[];
  readonly seqs: number[];
  dense: boolean;
}

/**
 * The candidates (the seed first) with at most {@link MAX_CANDIDATES_PER_SENSOR} of each sensor and
 * {@link MAX_CANDIDATES} in all, the earliest kept, with their places in the waiting list.
 */
export function capCandidates(
  candidates: readonly Arrival[],
  at: readonly number[],
): { candidates: Arrival[]; at: number[] } {
  const kept: Arrival[] = [];
  const keptAt: number[] = [];
  const counts = new Map<string, number>();
  for (const [k, a] of candidates.entries()) {
    const count = (counts.get(a.sensorId) ?? 0) + 1;
    counts.set(a.sensorId, count);
    if (count > MAX_CANDIDATES_PER_SENSOR) continue;
    kept.push(a);
    keptAt.push(at[k] ?? 0);
    if (kept.length === MAX_CANDIDATES) break;
  }
  return { candidates: kept, at: keptAt };
}

/**
 * The longest travel time, ms. It is the hearing range's, not the span of two sensors at its ends
 * (twice it): a sensor at that span still hears within one range of the source. This wait is also how
 * long an acoustic event takes to come out, in observation time.
 */
function maxTravelMsOf(options: {
  readonly maxHearingRangeM: number;
  readonly minSoundSpeedMs: number;
}): number {
  return (options.maxHearingRangeM / options.minSoundSpeedMs) * 1000;
}

/**
 * With the default options, how long after a seed's arrival its candidate window closes, ms: the
 * longest travel time and the slack. A live engine shows a group of four or five arrivals once the
 * latest observation time has passed it (decision 0010).
 */
export const DEFAULT_SEED_WINDOW_MS = maxTravelMsOf(DEFAULTS) + CANDIDATE_SLACK_MS;

/** Extra time the engine's direction gate allows (times taken apart round differently), s. */
const GATE_SLACK_S = 0.05;

/** Squared Mahalanobis distance under which a radar origin and an acoustic fix are one launch (99.9 %). */
const RADAR_MERGE_CHI2 = 13.8;

/**
 * The squared Mahalanobis distance between two estimates of one point (their errors independent); ∞
 * when either lies beyond {@link MAX_FUSED_LATITUDE} or their errors together are no covariance.
 */
function separation(a: GaussianPoint, b: GaussianPoint): number {
  if (!withinFusedLatitudes(a.lat) || !withinFusedLatitudes(b.lat)) return Number.POSITIVE_INFINITY;
  const frame = new LocalFrame(a.lat, a.lon);
  const d = frame.toLocal(b.lat, b.lon);
  const [ae, an, aa] = a.covariance;
  const [be, bn, bb] = b.covariance;
  const sum: Covariance2 = [ae + be, an + bn, aa + bb];
  return isPositiveDefinite2(sum) ? mahalanobisSquared(d.east, d.north, sum) : Number.POSITIVE_INFINITY;
}

/**
 * Fusion's local frames hold within ±89.9° of latitude, and a fit may land up to 100 km (0.9°) from its
 * sensors: arrivals of sensors beyond ±88° are stored but not grouped, and a radar origin there joins
 * no acoustic group. Two arrivals dated from a sensor at the pole (validation takes any latitude)
 * made every drain throw, and so did one radar track with its origin there beside any launch heard.
 */
export const MAX_FUSED_LATITUDE = 88;

const withinFusedLatitudes = (lat: number): boolean => Math.abs(lat) <= MAX_FUSED_LATITUDE;

/**
 * One launch seen by a radar and heard by the arrays: the radar's event (its id, impact and weapon
 * class), with the acoustic emission time and, when the acoustic grouping is trusted, the two origins
 * combined by information.
 */
function withRadar(radar: EventDraft, acoustic: EventDraft, trusted: boolean): EventDraft {
  const origin =
    radar.origin !== null &&
    acoustic.location !== null &&
    trusted &&
    isPositiveDefinite2(radar.origin.covariance) &&
    isPositiveDefinite2(acoustic.location.covariance)
      ? combineGaussianPoints([radar.origin, acoustic.location])
      : radar.origin;
  const provenance = [...radar.provenance, ...acoustic.provenance].sort((a, b) => a.seq - b.seq);
  return {
    ...radar,
    timeMs: acoustic.timeMs,
    timeSigmaMs: acoustic.timeSigmaMs,
    location: origin,
    origin,
    method: 'acoustic-tdoa+radar',
    provenance,
    asOfSeq: Math.max(radar.asOfSeq, acoustic.asOfSeq),
  };
}

/**
 * Distance for the association gate, m: equirectangular, within about 0.5 % at these ranges, so the
 * gate is widened by 1 % to never refuse what the geodesic would accept.
 */
function roughDistanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const kx = metresPerDegreeLon((lat1 + lat2) / 2);
  // Across the antimeridian the short way round.
  const dLon = lon2 - lon1 - 360 * Math.round((lon2 - lon1) / 360);
  return hypot(dLon * kx, (lat2 - lat1) * METRES_PER_DEGREE_LAT) * 0.99;
}

/** Launch and impact arrivals never group together; unclassified ones go with either. */
const signalsAgree = (a: Arrival['signal'], b: Arrival['signal']): boolean =>
  a === b || a === 'unknown' || a === 'impulse' || b === 'unknown' || b === 'impulse';

function arrivalOf(input: FusionInput): Arrival | undefined {
  const record = input.record;
  if (record.kind !== 'acoustic' || !withinFusedLatitudes(record.location.lat)) return undefined;
  return {
    input,
    sensorId: input.sourceId,
    lat: record.location.lat,
    lon: record.location.lon,
    signal: record.payload.signal,
    snrDb: record.payload.snrDb,
    bearingDeg: record.payload.bearingDeg,
    bearingSigmaDeg: record.payload.bearingSigmaDeg,
    timeMs: input.observedAtMs,
    sigmaMs: Math.max(input.timeUncertaintyMs, 1),
  };
}

const eventId = (input: FusionInput): string => eventIdOf(input.sourceId, input.recordId);

const contribution = (input: FusionInput, role: Contribution['role']): Contribution => ({
  seq: input.seq,
  sourceId: input.sourceId,
  recordId: input.recordId,
  kind: input.record.kind,
  observedAtMs: input.observedAtMs,
  role,
});

/**
 * No report places anything closer than this, m (1 σ): a stated error below it is taken as it. Validation
 * accepts any positive error, and a square under 1e-162 m is zero in floating point — a covariance no
 * combination can invert.
 */
export const MIN_POSITION_SIGMA_M = 1;

/**
 * An ellipse's minor axis is taken as at least this share of its major one. The covariance of a thinner
 * ellipse turned off the axes cannot be represented: its determinant cancels to nothing or below, and a
 * radar track stating 1 mm by 2,000 km made the merge with its launch's arrivals throw, halting fusion
 * at that record on every run.
 */
export const MIN_AXIS_RATIO = 1e-4;

/** A circle of radius `sigmaM` (1 σ) as a covariance. */
const circle = (lat: number, lon: number, sigmaM: number): GaussianPoint => {
  const s = Math.max(sigmaM, MIN_POSITION_SIGMA_M);
  return { lat, lon, covariance: [s * s, 0, s * s] };
};

/** An ellipse given by its semi-axes (1 σ) and the major axis' orientation (degrees from north). */
function ellipseCovariance(
  lat: number,
  lon: number,
  semiMajorM: number,
  semiMinorM: number,
  orientationDeg: number,
): GaussianPoint {
  const theta = (orientationDeg * Math.PI) / 180;
  // Major axis direction in east/north: (sin θ, cos θ). A "minor" axis longer than the major one is
  // taken as it is stated (the covariance holds either way); both are bounded as above.
  const [ue, un] = [Math.sin(theta), Math.cos(theta)];
  const longest = Math.max(semiMajorM, semiMinorM, MIN_POSITION_SIGMA_M);
  const floor = Math.max(MIN_POSITION_SIGMA_M, longest * MIN_AXIS_RATIO);
  const [a, b] = [Math.max(semiMajorM, floor), Math.max(semiMinorM, floor)];
  const [a2, b2] = [a * a, b * b];
  return {
    lat,
    lon,
    covariance: [a2 * ue * ue + b2 * un * un, (a2 - b2) * ue * un, a2 * un * un + b2 * ue * ue],
  };
}

function acousticEvent(fit: ArrivalFit): EventDraft {
  const inputs = fit.inliers.map((a) => a.input);
  const first = [...inputs].sort(byTimeThenKey)[0];
  if (first === undefined) throw new Error('a fit without arrivals');
  // The majority classification decides the phase; launches are what attribution needs.
  const launches = fit.inliers.filter((a) => a.signal === 'launch').length;
  const impacts = fit.inliers.filter((a) => a.signal === 'impact').length;
  const phase = launches === 0 && impacts === 0 ? null : launches >= impacts ? 'launch' : 'impact';
  const provenance = fit.inliers
    .map((a, i): Contribution => ({
      ...contribution(a.input, 'arrival'),
      residualS: fit.residualsS[i] ?? null,
    }))
    .sort((a, b) => a.seq - b.seq);
  return {
    id: eventId(first),
    type: 'explosion',
    phase,
    status: 'active',
    timeMs: fit.timeMs,
    timeSigmaMs: fit.timeSigmaMs,
    location: fit.location,
    origin: phase === 'launch' && fit.trusted ? fit.location : null,
    impact: phase === 'impact' && fit.trusted ? fit.location : null,
    method: 'acoustic-tdoa',
    weaponClass: null,
    count: null,
    provenance,
    asOfSeq: Math.max(...provenance.map((c) => c.seq)),
  };
}

/** An event made from one observation (radar, sightings, patrol reports), or none. */
function singleEvent(input: FusionInput): EventDraft | undefined {
  const record = input.record;
  const base = {
    id: eventId(input),
    status: 'active' as const,
    timeMs: input.observedAtMs,
    timeSigmaMs: Math.max(input.timeUncertaintyMs, 1),
    weaponClass: record.weaponClass ?? null,
    asOfSeq: input.seq,
  };
  const made = (
    type: EventKind,
    method: LocalisationMethod,
    role: Contribution['role'],
    where: { location: GaussianPoint | null; origin?: GaussianPoint | null; impact?: GaussianPoint | null },
    extra: { phase?: EventDraft['phase']; count?: number | null; weaponClass?: string | null } = {},
  ): EventDraft => ({
    ...base,
    type,
    phase: extra.phase ?? null,
    method,
    location: where.location,
    origin: where.origin ?? null,
    impact: where.impact ?? null,
    count: extra.count ?? null,
    ...(extra.weaponClass === undefined ? {} : { weaponClass: extra.weaponClass }),
    provenance: [contribution(input, role)],
  });
  switch (record.kind) {
    case 'radar': {
      const p = record.payload;
      const k = RADAR_SIGMA_WIDENING;
      const toPoint = (e: NonNullable<typeof p.origin>): GaussianPoint =>
        ellipseCovariance(
          e.lat,
          e.lon,
          k * e.ellipse.semiMajorM,
          k * e.ellipse.semiMinorM,
          e.ellipse.orientationDeg,
        );
      const origin = p.origin === undefined ? null : toPoint(p.origin);
      const impact = p.impact === undefined ? null : toPoint(p.impact);
      const phase = origin !== null ? 'launch' : 'impact';
      return made(
        'projectile-in-flight',
        'radar',
        'radar',
        { location: origin ?? impact, origin, impact },
        { phase, weaponClass: record.weaponClass ?? p.weaponClassGuess ?? null },
      );
    }
    case 'camera':
    case 'drone':
    case 'satellite': {
      const type = sightingType(record.payload.objectType);
      if (type === undefined) return undefined;
      const where = circle(record.location.lat, record.location.lon, record.location.ceM);
      return made(type, 'sighting', 'sighting', { location: where }, { count: record.payload.count ?? null });
    }
    case 'patrol': {
      const p = record.payload;
      const where = record.location
        ? circle(record.location.lat, record.location.lon, record.location.ceM)
        : null;
      if (p.report === 'impediment')
        return made('impediment', 'single-report', 'report', { location: nearObserver(p.observer) });
      if (p.report === 'sighting') {
        const type = sightingType(p.objectType);
        if (type === undefined) return undefined;
        return made(
          type,
          'single-report',
          'report',
          { location: where ?? sightedFrom(p.observer, p.distanceBand, p.bearingDeg) },
          { count: p.count ?? null },
        );
      }
      const phase = p.direction === 'outgoing' ? 'launch' : p.direction === 'incoming' ? 'impact' : null;
      return made(
        p.eventType,
        'single-report',
        'report',
        {
          location: where,
          origin: phase === 'launch' ? where : null,
          impact: phase === 'impact' ? where : null,
        },
        { phase, count: p.count },
      );
    }
    default:
      return undefined;
  }
}

/**
 * Where monitors stood is theirs to know: events go to the parties as they come, and an event placed
 * exactly where a patrol stood told a party where the monitors were. A patrol's sighting reported
 * without the object's position is placed from the patrol along the bearing, at the middle of the
 * distance band (the band as a uniform range, the bearing ± {@link PATROL_BEARING_SIGMA_DEG}); without
 * both it has no position. An impediment, which happens where the monitors are, is placed to the
 * nearest {@link IMPEDIMENT_PLACE_DEGREES} with a 1 km error.
 */
function sightedFrom(
  observer: { lat: number; lon: number; ceM: number },
  band: { minKm: number; maxKm: number } | undefined,
  bearingDeg: number | undefined,
): GaussianPoint | null {
  if (band === undefined || bearingDeg === undefined || !withinFusedLatitudes(observer.lat)) return null;
  const rangeM = ((band.minKm + band.maxKm) / 2) * 1000;
  const alongM = ((band.maxKm - band.minKm) * 1000) / Math.sqrt(12);
  const acrossM = rangeM * Math.tan((PATROL_BEARING_SIGMA_DEG * Math.PI) / 180);
  const b = (bearingDeg * Math.PI) / 180;
  const at = new LocalFrame(observer.lat, observer.lon).toGeo(rangeM * Math.sin(b), rangeM * Math.cos(b));
  // The patrol's own error, the same every way, adds to both axes.
  const own = Math.max(observer.ceM, MIN_POSITION_SIGMA_M);
  return ellipseCovariance(at.lat, at.lon, Math.hypot(alongM, own), Math.hypot(acrossM, own), bearingDeg);
}

/** A patrol's bearing error when it states none, degrees (1 σ). */
export const PATROL_BEARING_SIGMA_DEG = 10;

/** An impediment's place is given to this many degrees (about 1 km). */
export const IMPEDIMENT_PLACE_DEGREES = 0.01;

function nearObserver(observer: { lat: number; lon: number; ceM: number }): GaussianPoint {
  const round = (degrees: number): number =>
    Math.round(degrees / IMPEDIMENT_PLACE_DEGREES) / (1 / IMPEDIMENT_PLACE_DEGREES);
  return circle(round(observer.lat), round(observer.lon), Math.hypot(observer.ceM, 1_000));
}

function sightingType(objectType: string | undefined): EventKind | undefined {
  switch (objectType) {
    case 'weapon':
      return 'weapon-sighting';
    case 'troops':
      return 'troop-presence';
    case 'drone':
      return 'drone-flight';
    default:
      return undefined;
  }
}
