# experiments/sampler-accuracy/plot.gp - the plots of sampler-accuracy, drawn by
# exp_plot in results/sampler-accuracy/ with `out` = the run's scratch folder
# and `rates` = the captures' configs, MODE-RATE (e.g. 'defaults-1000 faults-300').
#   $out/cum.dat  blocks (hotcold at each rate, then zipf at each rate) of
#                 rows: T precision recall spearman coverage sampled_precision
#   $out/win.dat  blocks (phases at each rate) of rows: t_mid phase precision
#                 recall spearman coverage sampled_precision prev_precision
#                 prev_sampled_precision
#   $out/phase_lines.dat  the guest's phase-change times (s from its start)
set terminal pngcairo size 1000,520 font ',10'
set grid
set key outside right top
set yrange [0:1.02]
n = words(rates)
col(i) = i == 1 ? '#1b9e77' : i == 2 ? '#d95f02' : i == 3 ? '#7570b3' : '#e7298a'

set output 'accuracy-hotcold.png'
set title "hotcold 10%/0.9, 256 MiB, 2 vCPUs: hot set from the first T seconds of each capture\n(recall dashed; it equals precision once every hot frame has been sampled)"
set xlabel 'T, seconds of sampling'
set ylabel 'score against the truth'
plot for [i=1:n] out.'/cum.dat' index (i-1) using 1:2 with linespoints lw 2 pt 7 lc rgb col(i) title 'precision, '.word(rates,i), \
     for [i=1:n] out.'/cum.dat' index (i-1) using 1:3 with linespoints lw 1 dt 2 pt 6 lc rgb col(i) title 'recall, '.word(rates,i)

set output 'accuracy-zipf.png'
set title 'zipf s=1.1, 16 MiB, 2 vCPUs: hot set (90% of accesses) and rank correlation from the first T seconds'
plot for [i=1:n] out.'/cum.dat' index (n+i-1) using 1:2 with linespoints lw 2 pt 7 lc rgb col(i) title 'precision, '.word(rates,i), \
     for [i=1:n] out.'/cum.dat' index (n+i-1) using 1:4 with linespoints lw 1 dt 2 pt 6 lc rgb col(i) title 'Spearman, '.word(rates,i)

set output 'accuracy-phases.png'
set title 'phase-change (hot set moves every 3 s), 16 MiB, 2 vCPUs: 1 s windows, captures one after the other'
set xlabel 'seconds since the guest started (grey lines: phase changes)'
set ylabel 'score of the window'
set key outside right top
plot for [i=1:n] out.'/win.dat' index (i-1) using 1:7 with linespoints lw 2 pt 7 lc rgb col(i) title 'sampled precision, current phase, '.word(rates,i), \
     for [i=1:n] out.'/win.dat' index (i-1) using 1:9 with points pt 2 lc rgb col(i) title 'sampled precision, previous phase, '.word(rates,i), \
     out.'/phase_lines.dat' using 1:(1.02) with impulses lc rgb '#999999' dt 2 notitle
