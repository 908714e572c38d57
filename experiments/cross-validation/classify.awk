# experiments/cross-validation/classify.awk - explains each item analysis/xval
# left unmatched, from the two logs themselves.
#
# gawk -v tol=NS -f classify.awk UNMATCHED FF_LINES
#   UNMATCHED  xval -v output: "unmatched module|stap t= vcpu= gfn= type="
#   FF_LINES   every t= line of firstfaults.stp (nth=1 and later faults)
# Prints one line per unmatched item: "side t vcpu gfn class", class one of
#   concurrent  two vCPUs faulted on the unit together: the module sampled
#               one (its lock came first), KVM's fault path showed the
#               other first; the module's fault is among the later ones
#               (nth >= 2) of the same vCPU within tol, or, for the
#               tapset's side, a module-only sample of another vCPU on the
#               same frame lies within tol
#   race        a tapset-only first fault that may have left the guest
#               before the arming (race=1): the module saw the unit unarmed
#   unexplained anything else
function val(line, k,   i, n, a) {
	n = split(line, a, " ")
	for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
	return ""
}
function absd(x) { return x < 0 ? -x : x }
FNR == NR {
	if ($1 != "unmatched") next
	n++; side[n] = $2; t[n] = val($0, "t") + 0; v[n] = val($0, "vcpu"); g[n] = val($0, "gfn")
	if ($2 == "module") { mo[g[n]] = mo[g[n]] " " n }
	next
}
{
	# the fault-path log: later faults (nth >= 2) by vCPU and frame,
	# and the race flag of first faults
	k = val($0, "vcpu") " " val($0, "gfn")
	if (val($0, "nth") + 0 >= 2) later[k] = later[k] " " val($0, "t")
	else race[k " " val($0, "t")] = val($0, "race")
}
END {
	for (i = 1; i <= n; i++) {
		c = "unexplained"
		if (side[i] == "module") {
			m = split(later[v[i] " " g[i]], L, " ")
			for (j = 1; j <= m; j++) if (absd(L[j] - t[i]) <= tol) c = "concurrent"
		} else {
			m = split(mo[g[i]], M, " ")
			for (j = 1; j <= m; j++) if (v[M[j]] != v[i] && absd(t[M[j]] - t[i]) <= tol) c = "concurrent"
			if (c != "concurrent" && race[v[i] " " g[i] " " t[i]] == 1) c = "race"
		}
		print side[i], t[i], v[i], g[i], c
	}
}
