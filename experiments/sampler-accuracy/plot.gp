# experiments/sampler-accuracy/plot.gp - the plots of sampler-accuracy, drawn by
# exp_plot in results/sampler-accuracy/ with `out` = the run's scratch folder
# and `rates` = the captures' configs, MODE-RATE (e.g. 'defaults-1000 faults-300').
#   $out/cum.dat  blocks (hotcold at each rate, then zipf at each rate) of
#                 rows: T precision recall spearman coverage sampled_precision
#   $out/win.dat  blocks (phases at each rate) of rows: t_mid phase precision
#                 recall spearman coverage sampled_precision prev_precision
#                 prev_sampled_precision
#   $out/phase_lines.dat  the guest's phase-change times (s from its start)
# Each capture config has one colour and one point type in every plot, and
# one legend entry; two scores of a capture go in two panels side by side,
# so no line hides another.
set terminal pngcairo size 1000,520 font ',11'
set grid lc rgb '#dddddd'
set border 3
set xtics nomirror out
set ytics nomirror out
set yrange [0:1.02]
set ytics 0.2
n = words(rates)
col(i) = i == 1 ? '#1b9e77' : i == 2 ? '#d95f02' : i == 3 ? '#7570b3' : '#e7298a'
pt(i) = i == 1 ? 7 : i == 2 ? 5 : i == 3 ? 9 : 13
# Two panels side by side (manual places), then one legend for both
# under them, drawn by a plot with nothing else in it.
left = "set origin 0, 0.07; set size 0.5, 0.86; set ylabel 'score against the truth'"
right = "set origin 0.5, 0.07; set size 0.5, 0.86; unset ylabel"
legend = "set origin 0, 0; set size 1, 1; unset border; unset tics; unset grid; unset xlabel; unset ylabel; unset title; set xrange [0:1]; set yrange [0:1]; set key at screen 0.5, 0.015 center bottom horizontal maxrows 1 samplen 2 width 2"
restore = "set border 3; set xtics nomirror out; set ytics 0.2 nomirror out; set grid lc rgb '#dddddd'; set yrange [0:1.02]; set autoscale x; unset key"
entries = "plot for [i=1:n] 2 with linespoints lw 2 pt pt(i) ps 1.1 lc rgb col(i) title word(rates,i)"
unset key

set output 'accuracy-hotcold.png'
set multiplot title "hotcold 10%/0.9, 256 MiB, 2 vCPUs: the hot set from the first T seconds of each capture"
set xlabel 'T (s of sampling)'
@left
set title 'precision'
plot for [i=1:n] out.'/cum.dat' index (i-1) using 1:2 with linespoints lw 2 pt pt(i) ps 1.1 lc rgb col(i) notitle
@right
set title 'recall (equals precision once every hot frame is sampled)'
plot for [i=1:n] out.'/cum.dat' index (i-1) using 1:3 with linespoints lw 2 pt pt(i) ps 1.1 lc rgb col(i) notitle
@legend
@entries
unset multiplot
@restore

set output 'accuracy-zipf.png'
set multiplot title "zipf s=1.1, 16 MiB, 2 vCPUs: the hot set (90% of accesses) from the first T seconds of each capture"
set xlabel 'T (s of sampling)'
@left
set title 'precision'
plot for [i=1:n] out.'/cum.dat' index (n+i-1) using 1:2 with linespoints lw 2 pt pt(i) ps 1.1 lc rgb col(i) notitle
@right
set title 'Spearman rank correlation with the true shares'
plot for [i=1:n] out.'/cum.dat' index (n+i-1) using 1:4 with linespoints lw 2 pt pt(i) ps 1.1 lc rgb col(i) notitle
@legend
@entries
unset multiplot
@restore

set key below horizontal maxrows 1 samplen 2 width 2
set bmargin 5
set output 'accuracy-phases.png'
set title "phases: the hot set moves every 3 s (16 MiB, 2 vCPUs); 1 s windows of captures run one after the other\nfilled: share of the window's sampled frames in the current phase's hot set; open: in the previous phase's"
set xlabel 'time since the guest started (s); grey lines: phase changes'
set ylabel 'sampled precision of the window'
set xrange [0:*]
plot out.'/phase_lines.dat' using 1:(1.02) with impulses lc rgb '#aaaaaa' dt 2 notitle, \
     for [i=1:n] out.'/win.dat' index (i-1) using 1:7 with linespoints lw 2 pt pt(i) ps 1.1 lc rgb col(i) title word(rates,i), \
     for [i=1:n] out.'/win.dat' index (i-1) using 1:9 with points pt (pt(i) - 1) ps 1.1 lc rgb col(i) notitle
