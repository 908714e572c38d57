# experiments/tiering/plot.gp - the plots of tiering, drawn by exp_plot in
# results/tiering/ with `out` = the run's scratch folder and `policies` =
# the policies run, in order:
#   $out/TAG.POLICY.dat  t_s tg_s phase fast_share: each read-back of where
#                        the guest's frames are (analysis/placement -g), t_s
#                        since the daemon started (TAG static or moving)
#   $out/change.dat      when the moving guest's hot set moved (t_s)
#   $out/damos.damos.dat the same for DAMOS, in the 6.12 boot (TAG damos)
# One colour and point type per policy; the oracle thin and dashed, over
# the others, so that a policy that matches it shows through.
set terminal pngcairo size 1000,520 font ',11'
set grid lc rgb '#dddddd'
set border 3
set xtics nomirror out
set ytics nomirror out
n = words(policies)
col(i) = i == 1 ? '#999999' : i == 2 ? '#e7298a' : i == 3 ? '#7570b3' : i == 4 ? '#1b9e77' : '#d95f02'
pt(i) = i == 1 ? 1 : i == 2 ? 5 : i == 3 ? 9 : i == 4 ? 7 : 13
dt(i) = word(policies, i) eq 'oracle' ? 2 : 1
lw(i) = word(policies, i) eq 'oracle' ? 1.5 : 3
set yrange [0:1.02]
set ytics 0.2
set xlabel 'seconds since eptscope-tier started'
set ylabel 'fast-node share of accesses (truth)'
set key below horizontal maxrows 1 samplen 2 width 2

set output 'fast-share.png'
set title "a static hot set: share of the guest's accesses served by fast-node pages (lab, 2 NUMA nodes; RAM starts on the slow node)"
plot for [i=1:n] out.'/static.'.word(policies, i).'.dat' using 1:4 with linespoints lw lw(i) dt dt(i) pt pt(i) ps 1 lc rgb col(i) title word(policies, i), \
	out.'/damos.damos.dat' using 1:4 with linespoints lw 3 pt 11 ps 1 lc rgb '#e6ab02' title 'DAMOS (6.12 boot)'

change = real(system("head -n 1 ".out."/change.dat"))
set output 'fast-share-moving.png'
set title "the hot set moves (dashed line): share of the accesses of the guest's current phase on fast-node pages"
set arrow 1 from change, 0 to change, 1.02 nohead dt 3 lc rgb '#444444'
plot for [i=1:n] out.'/moving.'.word(policies, i).'.dat' using 1:4 with linespoints lw lw(i) dt dt(i) pt pt(i) ps 1 lc rgb col(i) title word(policies, i)
