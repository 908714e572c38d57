# experiments/mmu-pages-dfs/dfs.awk - check that each kvm_mmu_pages list
# is a depth-first order and each mmu_page_path the root-to-leaf path of
# its leaf, from stp/zap_unsync.stp output (file 1: "pages walk=" and
# "path walk=" lines) and stp/mmu_pages.stp output (file 2: "walk n="
# lines); print key=value counts, and write the tables and plot data of
# experiments/mmu-pages-dfs/run into the folder `out`:
#   seq_zap.txt, seq_sync.txt  COUNT LEVELS   (most common first)
#   nr.dat                     NR ZAP_WALKS SYNC_WALKS
#   sample.txt                 the sample walk's number
#   tree.dat                   I LEVEL PARENT_I IS_LEAF   (sample walk)
#   paths.txt                  I LEAF_SP PATH_LEVELS PATH_SPS (sample walk)
#   awk -v out=DIR -f dfs.awk zap.out pages.out
#
# A list is a depth-first (pre-)order of a tree rooted at its first entry
# when every later entry's level is one below the nearest earlier entry
# still open on the path (a stack: entries of the same or a lower level
# close). Then each entry's parent is that entry.

function kv(s, key,   v) { v = s; sub(".*" key "=", "", v); sub(/ .*/, "", v); return v }

# Checks levels L[1..n]; sets P[i] (parent index, 0-based, -1 for the
# first) and returns 1 when the order is depth-first.
function dfs(n,   i, sp, st, bad) {
	sp = 0; bad = 0
	for (i = 1; i <= n; i++) {
		while (sp > 0 && L[st[sp]] <= L[i]) sp--
		if (i > 1 && (sp == 0 || L[st[sp]] != L[i] + 1)) bad = 1
		if (L[i] < 1) bad = 1
		P[i] = sp > 0 ? st[sp] - 1 : -1
		st[++sp] = i
	}
	return !bad
}
function backtracks(n,   i) { for (i = 1; i < n; i++) if (L[i] == 1 && L[i + 1] > 1) return 1; return 0 }

FNR == 1 { file++ }

file == 1 && /^pages walk=/ {
	w = kv($0, "walk"); lv = kv($0, "levels"); sps = kv($0, "sps")
	n = split(lv, L, ","); split(sps, S, ",")
	nr = kv($0, "nr") + 0
	zap_walks++
	ok = dfs(n)
	zap_valid += ok
	zap_full += (nr == 16)
	bt = backtracks(n)
	zap_backtrack += bt
	delete seen; dup = 0
	for (i = 1; i <= n; i++) { if (S[i] in seen) dup = 1; seen[S[i]] = 1 }
	zap_dups += dup
	seqz[lv]++
	nrz[nr]++
	top[L[1]]++
	nw[w] = n; wbt[w] = bt; wok[w] = ok; wlev[w] = lv
	for (i = 1; i <= n; i++) { lev[w, i - 1] = L[i]; sp[w, i - 1] = S[i]; par[w, i - 1] = P[i] }
	next
}
file == 1 && /^path walk=/ {
	w = kv($0, "walk"); i = kv($0, "i") + 0; s = kv($0, "sp")
	pl = kv($0, "levels"); ps = kv($0, "parents")
	np = split(pl, PL, ","); split(ps, PS, ",")
	paths++
	good = (w in nw) && i >= 0 && sp[w, i] == s && lev[w, i] == 1 && np >= 1
	for (k = 1; good && k <= np; k++) {
		if (PL[k] != k + 1) good = 0
		for (j = i - 1; j >= 0 && lev[w, j] != k + 1; j--) ;
		if (j < 0 || sp[w, j] != PS[k]) good = 0
	}
	if (good && PS[np] != sp[w, 0]) good = 0
	paths_valid += good
	pathlev[pl]++
	npaths[w]++
	pline[w, npaths[w]] = i " " s " " pl " " ps
	next
}
file == 1 && /^zap parent=/ { zaps++; zapped += kv($0, "zapped"); next }

file == 2 && /^walk n=/ {
	lv = kv($0, "levels"); n = split(lv, L, ",")
	nr = kv($0, "nr") + 0
	from = kv($0, "from")
	if (from == "zap") { sync_from_zap++; next }
	sync_walks++
	sync_valid += dfs(n)
	sync_backtrack += backtracks(n)
	sync_full += (nr == 16)
	seqs[lv]++
	nrs[nr]++
}

END {
	# The sample: a valid zap walk that goes back up after a leaf, with all
	# its paths, the shortest such; else the longest valid walk.
	best = ""
	for (w in nw) {
		if (!wok[w] || npaths[w] < 1) continue
		if (wbt[w]) { if (best == "" || !wbt[best] || nw[w] < nw[best] || (nw[w] == nw[best] && w + 0 < best + 0)) best = w }
		else if (best == "" || (!wbt[best] && nw[w] > nw[best])) best = w
	}
	printf("zap_walks=%d zap_valid=%d zap_full=%d zap_backtrack=%d zap_dups=%d zap_from_level4=%d\n",
	       zap_walks, zap_valid, zap_full, zap_backtrack, zap_dups, top[4])
	printf("paths=%d paths_valid=%d paths_234=%d zaps=%d zapped=%d\n",
	       paths, paths_valid, pathlev["2,3,4"], zaps, zapped)
	printf("sync_walks=%d sync_valid=%d sync_full=%d sync_backtrack=%d\n",
	       sync_walks, sync_valid, sync_full, sync_backtrack)
	printf("sample=%s sample_n=%d sample_backtrack=%d sample_levels=%s\n",
	       best, best != "" ? nw[best] : 0, best != "" ? wbt[best] : 0, best != "" ? wlev[best] : "")
	if (out == "") exit
	for (s in seqz) printf("%d %s\n", seqz[s], s) | ("sort -k1,1nr -k2 >" out "/seq_zap.txt")
	for (s in seqs) printf("%d %s\n", seqs[s], s) | ("sort -k1,1nr -k2 >" out "/seq_sync.txt")
	for (k = 1; k <= 16; k++) printf("%d %d %d\n", k, nrz[k], nrs[k]) > (out "/nr.dat")
	print best > (out "/sample.txt")
	if (best != "") {
		for (i = 0; i < nw[best]; i++)
			printf("%d %d %d %d\n", i, lev[best, i], par[best, i], lev[best, i] == 1) > (out "/tree.dat")
		for (k = 1; k <= npaths[best]; k++) print pline[best, k] > (out "/paths.txt")
	}
}
