package dev.peapod.node.restart;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a starting engine does with the pods an earlier run of it left (restart safety, issue 6):
 * the pure planner; {@code Engine.reconcile} is the driver. conmon keeps containers running when
 * Peapod dies, and every pod worker keeps a record of its sandbox and containers in its run dir,
 * so after a restart:
 * <ul>
 *   <li>a pod the store still wants (no deletionTimestamp, not terminal) whose sandbox and every
 *       not-yet-exited container the runtime still has (known to crun, or an exit file conmon wrote)
 *       is {@link Adopt adopted}: its worker is rebuilt from the record, same containers, same
 *       attempts (restartCount); exits that happened meanwhile are read from their exit files and
 *       handled by the restart policy, as kubelet's pod workers resync against the CRI after a
 *       kubelet restart;</li>
 *   <li>a wanted pod whose runtime state is gone (a container crun no longer knows, without an exit
 *       file: a reboot, or crun state removed), or whose sandbox was still being created when the
 *       earlier run died (recorded before its creation began), is {@link Start started} anew after
 *       its leftovers are cleaned up, as kubelet creates a new sandbox when the old one is gone;</li>
 *   <li>a recorded pod the store no longer wants is {@link Clean cleaned} up (kubelet's garbage
 *       collection of containers and sandboxes no pod owns).</li>
 * </ul>
 */
public final class Reconcile {
    private Reconcile() {}

    /** A pod of the store: {@code wanted} when it has no deletionTimestamp and is not Succeeded/Failed. */
    public record StoredPod(String uid, boolean wanted) {}

    /**
     * A pod an earlier run recorded: its sandbox's id and the ids of its containers not known to have
     * exited. {@code sandboxCreated} false: the record was written before the sandbox's creation
     * began and the run died before recording its end — whatever of it exists is no sandbox to adopt.
     */
    public record RecordedPod(String uid, String sandboxId, List<String> liveContainerIds, boolean sandboxCreated) {
        public RecordedPod(String uid, String sandboxId, List<String> liveContainerIds) {
            this(uid, sandboxId, liveContainerIds, true);
        }
    }

    /** What the runtime has now: ids crun knows, ids with an exit file. */
    public record Runtime(Set<String> known, Set<String> exitFiles) {
        boolean has(String id) { return known.contains(id) || exitFiles.contains(id); }
    }

    public sealed interface Action permits Adopt, Start, Clean {
        String uid();
    }

    /** Rebuild the pod's worker from its record: its containers keep running. */
    public record Adopt(String uid) implements Action {}

    /** Start the pod as new; {@code cleanFirst}: remove what is left of its earlier sandbox before. */
    public record Start(String uid, boolean cleanFirst) implements Action {}

    /** Stop and remove everything of the recorded pod: the store no longer wants it. */
    public record Clean(String uid) implements Action {}

    /** One action per pod, stored pods first (in store order), then recorded pods the store does not hold. */
    public static List<Action> plan(Collection<StoredPod> stored, Collection<RecordedPod> recorded, Runtime runtime) {
        Map<String, RecordedPod> byUid = new LinkedHashMap<>();
        for (RecordedPod r : recorded) byUid.put(r.uid(), r);
        var out = new ArrayList<Action>();
        for (StoredPod s : stored) {
            RecordedPod r = byUid.remove(s.uid());
            if (!s.wanted()) {
                if (r != null) out.add(new Clean(s.uid()));
            } else if (r == null) {
                out.add(new Start(s.uid(), false));
            } else if (intact(r, runtime)) {
                out.add(new Adopt(s.uid()));
            } else {
                out.add(new Start(s.uid(), true));
            }
        }
        for (RecordedPod r : byUid.values()) out.add(new Clean(r.uid()));
        return out;
    }

    /** The sandbox and every container not known to have exited are still in the runtime (running, or exited with an exit file). */
    static boolean intact(RecordedPod r, Runtime runtime) {
        if (!r.sandboxCreated() || r.sandboxId() == null || !runtime.has(r.sandboxId())) return false;
        return r.liveContainerIds().stream().allMatch(runtime::has);
    }
}
