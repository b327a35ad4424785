/** A task of the workload, as the OOM killer sees it. */
export interface OomTask {
  readonly pid: number;
  readonly comm: string;
  /** Resident pages (get_mm_rss). */
  readonly rssPages: number;
  /** Swap entries (MM_SWAPENTS), default 0. */
  readonly swapPages?: number;
  /** Page-table pages (mm_pgtables_bytes / PAGE_SIZE), default 0. */
  readonly pgtablePages?: number;
  /** /proc/<pid>/oom_score_adj, −1000 … 1000 (default 0; −1000 = never). */
  readonly oomScoreAdj?: number;
}

/** The OOM killer's choice. */
export interface OomDecision {
  readonly victim: OomTask | null;
  /** oom_badness() of the victim. */
  readonly points: number;
  /** Every candidate with its points, in task order. */
  readonly candidates: readonly { readonly pid: number; readonly comm: string; readonly points: number | null }[];
}

/** OOM_SCORE_ADJ_MIN: the task is never chosen. */
export const OOM_SCORE_ADJ_MIN = -1000;

/**
 * The OOM killer's score of a task: rss + swap entries + page-table pages, plus oom_score_adj × totalpages / 1000
 * (integer division); null when the task may not be killed (oom_score_adj −1000).
 * kernel: mm/oom_kill.c oom_badness()
 *
 * @example
 * ```ts
 * import { oomBadness } from "@pagealloc/reclaim";
 * // 1000 rss pages, adj +500 on a machine of 4096 pages: 1000 + 500 × 4096 / 1000 = 1000 + 2048
 * console.log(oomBadness({ pid: 1, comm: "a", rssPages: 1000, oomScoreAdj: 500 }, 4096)); // => 3048
 * ```
 */
export function oomBadness(t: OomTask, totalPages: number): number | null {
  const adj = t.oomScoreAdj ?? 0;
  if (adj === OOM_SCORE_ADJ_MIN) return null;
  const points = t.rssPages + (t.swapPages ?? 0) + (t.pgtablePages ?? 0);
  return points + Math.trunc((adj * totalPages) / 1000);
}

/**
 * The task the OOM killer would choose: the highest badness; on equal points the later task in the list wins,
 * because the kernel's scan replaces its choice when points ≥ the chosen points (for_each_process order).
 * kernel: mm/oom_kill.c select_bad_process() / oom_evaluate_task()
 */
export function selectBadProcess(tasks: readonly OomTask[], totalPages: number): OomDecision {
  let victim: OomTask | null = null;
  let best = -Infinity;
  const candidates = tasks.map((t) => {
    const points = oomBadness(t, totalPages);
    if (points !== null && points >= best) {
      best = points;
      victim = t;
    }
    return { pid: t.pid, comm: t.comm, points };
  });
  return { victim, points: victim ? best : 0, candidates };
}
