# tests/lib/vhost_decisions.awk - checks stp/vhost_vring.stp's notify
# decisions against vhost_notify's rule, recomputed from each line's
# printed inputs (its key=value words), in the kernel's order:
# NOTIFY_ON_EMPTY with an empty avail ring signals; without EVENT_IDX the
# guest's avail flags decide (NO_INTERRUPT, bit 0); an invalid
# signalled_used signals; else vring_need_event(event, new, old) =
# (u16)(new - event - 1) < (u16)(new - old). The kernel's result is the
# line's "true -> signalled" / "false -> suppressed".
# Used by tests/lab/stp_vhost.t and experiments/vhost-rx-stall/run:
#   gawk -f tests/lib/vhost_decisions.awk SCRIPT_OUTPUT
# prints one line, "N BAD SIGNALLED SUPPRESSED FINAL_D FINAL_S FINAL_U":
# the decision lines, those that disagree with the rule (the first three
# also on stderr), the signalled and suppressed ones among them, and the
# script's own final totals of decisions, signalled and suppressed summed
# over its queues (its "final: QUEUE: D notify decisions, S signalled, U
# suppressed" lines).
function u16(x) { return (x % 65536 + 65536) % 65536 }
# want(): the rule on v[], the line's inputs.
function want() {
	if (v["notify_on_empty"] && v["avail_idx"] == v["last_avail_idx"]) return 1
	if (!v["event_idx"]) return v["flags"] < 0 || !(v["flags"] % 2)
	if (!v["valid"]) return 1
	return u16(v["new"] - v["event"] - 1) < u16(v["new"] - v["old"])
}
/ notify: old=/ {
	n++
	delete v
	for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) v[kv[1]] = kv[2] + 0
	res = $0 ~ /: true -> signalled/ ? 1 : $0 ~ /: false -> suppressed/ ? 0 : -1
	w = want()
	# The guest moved used_event/flags between the script's two reads:
	# the kernel read one of them, and its result must follow from one.
	if (res != w && match($0, /changed used_event\/flags to -?[0-9]+\/-?[0-9]+ meanwhile/)) {
		split(substr($0, RSTART + 28, RLENGTH - 38), a, "/")
		v["event"] = a[1] + 0; v["flags"] = a[2] + 0
		w = want()
	}
	if (res != w) { bad++; if (bad <= 3) print "# disagrees: " $0 > "/dev/stderr" }
	if (res == 1) sig++; else if (res == 0) sup++
}
/ final: (rx|tx) [0-9]+: [0-9]+ notify decisions/ { fd += $7; fs += $10; fu += $12 }
END { printf "%d %d %d %d %d %d %d\n", n, bad, sig, sup, fd, fs, fu }
