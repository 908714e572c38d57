# experiments/root-hpa/summarize.awk - reduce one run of stp/root_hpa.stp
# (INTERVAL 1, TRACE 1) and the guest's output to key=value lines, which
# experiments/root-hpa/run turns into its table, findings and checks.
#   awk -f summarize.awk RUN.stap RUN.guest
# Keys: vcpus snapshots snap_all_same snap_split snap_pgd_ok invalid
#   loads switches hits misses zaps roots pgds roots_per_pgd_max
#   pgds_per_root_max root_loads_max windows windows_one_root
#   cr3_switches removes changes_load changes_cache
function flush_snap(   i, j, same, ok, r0) {
	if (!insnap) return
	insnap = 0
	if (nv == 0) return
	snapshots++
	same = 1; ok = 1; r0 = ""
	for (i = 0; i < nv; i++) {
		if (root[i] == "rffffffffffffffff" || root[i] == "r0") { invalid++; continue }
		if (r0 == "") r0 = root[i]; else if (root[i] != r0) same = 0
		for (j = 0; j < i; j++) {
			if (root[j] == "rffffffffffffffff" || root[j] == "r0") continue
			if ((pgd[i] == pgd[j]) != (root[i] == root[j])) ok = 0
		}
	}
	snap_all_same += same
	snap_split += !same
	snap_pgd_ok += ok
	nv = 0
}
FNR == 1 { file++ }
file == 1 && /^root_hpa t=/ { flush_snap(); insnap = 1; nv = 0; next }
file == 1 && insnap && /^vcpu\[[0-9]+\] root_hpa / {
	# (prefixed: gawk would compare hex like 7e142000 and 7e237000 as
	# numbers, both +inf)
	root[nv] = "r" $3; p = $0; sub(/.*pgd=/, "", p); sub(/ .*/, "", p); pgd[nv] = "p" p; nv++; next
}
file == 1 { flush_snap() }
file == 1 && /^change / {
	r = $5; sub(/root=/, "", r); g = $6; sub(/pgd=/, "", g); via = $7; sub(/via=/, "", via)
	# A root is its page within one window between zaps of all roots: a
	# zap frees the roots, and a later root of another CR3 may get the
	# same page (one fresh run counted such a page as one root of 2 CR3s).
	if (!((r, g) in rp)) { rp[r, g] = 1; nrt[g]++ }
	if (!((win, r, g) in wrp)) { wrp[win, r, g] = 1; npg[win, r]++ }
	if (via == "load") { changes_load++; if (!((win, r) in wr)) { wr[win, r] = 1; wroots[win]++ } }
	if (via == "cache") changes_cache++
}
file == 1 && /^zap / { win++ }
file == 1 && /^root_hpa vm / {
	for (i = 3; i <= NF; i++) { split($i, kv, "="); vm[kv[1]] = kv[2] }
}
file == 1 && /^root pid=.* root_hpa=/ {
	l = $0; sub(/.* loads=/, "", l); sub(/ .*/, "", l)
	if (l + 0 > root_loads_max) root_loads_max = l + 0
}
file == 2 && /^vcpu id=/ { c = $0; sub(/.*cr3_switches=/, "", c); sub(/ .*/, "", c); cr3 += c }
file == 2 && /^slot_churn / { r = $0; sub(/.*removes=/, "", r); sub(/ .*/, "", r); removes = r }
END {
	flush_snap()
	for (r in npg) if (npg[r] > pgds_per_root_max) pgds_per_root_max = npg[r]
	for (g in nrt) { pgds++; if (nrt[g] > roots_per_pgd_max) roots_per_pgd_max = nrt[g] }
	for (w in wroots) { windows++; windows_one_root += (wroots[w] == 1) }
	printf("vcpus=%d snapshots=%d snap_all_same=%d snap_split=%d snap_pgd_ok=%d invalid=%d\n",
	       vm["vcpus"], snapshots, snap_all_same, snap_split, snap_pgd_ok, invalid)
	printf("loads=%d switches=%d hits=%d misses=%d zaps=%d roots=%d\n", vm["loads"],
	       vm["switches"], vm["hits"], vm["misses"], vm["zaps"], vm["roots"])
	printf("pgds=%d roots_per_pgd_max=%d pgds_per_root_max=%d root_loads_max=%d\n",
	       pgds, roots_per_pgd_max, pgds_per_root_max, root_loads_max)
	printf("windows=%d windows_one_root=%d changes_load=%d changes_cache=%d\n",
	       windows, windows_one_root, changes_load, changes_cache)
	printf("cr3_switches=%d removes=%d\n", cr3, removes)
}
