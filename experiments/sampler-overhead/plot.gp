# experiments/sampler-overhead/plot.gp - the plots of sampler-overhead, drawn by
# exp_plot in results/sampler-overhead/ with `out` = the run's scratch folder:
#   $out/ticks.dat    t_end_s t_start_s guest_accesses_per_s (sum of vCPUs)
#   $out/spans.dat    sample_start_s sample_end_s rate launch_s exit_s: the
#                     sampling periods, and eptsample's whole run around them
#   $out/summary.dat  config (MODE-RATE) ... ratio (column 8) ...
set terminal pngcairo size 1000,480 font ',11'
set grid lc rgb '#dddddd'

stats out.'/ticks.dat' using 3 nooutput
ymax = STATS_max * 1.1
set output 'overhead-timeline.png'
set title 'one guest (256 MiB, 2 vCPUs, hotcold 10%/0.9): its throughput per 0.5 s tick'
set xlabel 'seconds since the guest started'
set ylabel 'guest accesses per second (both vCPUs)'
set yrange [0:ymax]
set format y '%.1s%c'
set key below horizontal maxrows 1 samplen 2 width 2
plot out.'/spans.dat' using (($4+$5)/2):(ymax/2):(($5-$4)/2):(ymax/2) with boxxyerror fs solid 0.25 noborder lc rgb '#9e9ac8' title 'eptsample start-up and detach', \
     out.'/spans.dat' using (($1+$2)/2):(ymax/2):(($2-$1)/2):(ymax/2) with boxxyerror fs solid 0.2 noborder lc rgb '#d95f02' title 'sampling', \
     out.'/spans.dat' using (($1+$2)/2):(ymax*0.95):(stringcolumn(3)) with labels notitle, \
     out.'/ticks.dat' using (($1+$2)/2):3 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#1b9e77' title 'guest throughput'

set output 'overhead-ratio.png'
set title 'guest throughput while sampling / without sampling (lab, TCG); goal on hardware: >= 0.98 at 1000/s'
set xlabel 'eptsample config (MODE-RATE; defaults-1000: the defaults alone)'
set ylabel 'throughput ratio'
set yrange [0:1.25]
set format y '%g'
set style fill solid 0.5
set boxwidth 0.6
set key inside top right horizontal
plot out.'/summary.dat' using 0:8:xticlabels(1) with boxes lc rgb '#7570b3' title 'ratio, this run', \
     out.'/summary.dat' using 0:8:(sprintf('%.3f', $8)) with labels offset 0,1 notitle, \
     0.98 with lines dt 2 lc rgb '#444444' title 'goal 0.98'
