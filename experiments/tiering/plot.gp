# experiments/tiering/plot.gp - the plot of tiering, drawn by exp_plot in
# results/tiering/ with `out` = the run's scratch folder and `policies` =
# the policies run, in order:
#   $out/POLICY.dat  t_s fast_share: each read-back of where the guest's
#                    frames are (analysis/placement -g), seconds since the
#                    daemon started
set terminal pngcairo size 1000,520 font ',11'
set grid lc rgb '#dddddd'
set border 3
set xtics nomirror out
set ytics nomirror out
n = words(policies)
col(i) = i == 1 ? '#999999' : i == 2 ? '#e7298a' : i == 3 ? '#7570b3' : i == 4 ? '#1b9e77' : '#d95f02'
pt(i) = i == 1 ? 1 : i == 2 ? 5 : i == 3 ? 9 : i == 4 ? 7 : 13
set output 'fast-share.png'
set title "share of the guest's accesses served by fast-node pages (lab, 2 NUMA nodes; guest RAM starts on the slow node)"
set xlabel 'seconds since eptscope-tier started'
set ylabel 'fast-node share of accesses (truth)'
set yrange [0:1.02]
set ytics 0.2
set key below horizontal maxrows 1 samplen 2 width 2
# The oracle dashed and thin, over the others: a policy that matches it
# shows through.
dt(i) = word(policies, i) eq 'oracle' ? 2 : 1
lw(i) = word(policies, i) eq 'oracle' ? 1.5 : 3
plot for [i=1:n] out.'/'.word(policies, i).'.dat' using 1:2 with linespoints lw lw(i) dt dt(i) pt pt(i) ps 1 lc rgb col(i) title word(policies, i)
