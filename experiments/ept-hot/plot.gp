# experiments/ept-hot/plot.gp - the plots of ept-hot, drawn by exp_plot in
# results/ept-hot/ with `out` = the run's scratch folder, `chance` = hot
# frames / data frames and `top` = the rows of ept_hot's table.
#   $out/rank.hot.dat, rank.cold.dat, rank.sys.dat   rank rate (ept_hot's
#       final table, split by what the truth says the frame is)
#   $out/precision.dat   N precision_ept_hot precision_hotness (top N data
#       frames)
set terminal pngcairo size 1000,520 font ',11'
set grid lc rgb '#dddddd'
set key outside right top

set output 'rate-by-rank.png'
set title 'ept\_hot'."'".'s top frames by estimated rate, coloured by the truth (256 MiB hotcold 10%/0.9)'
set key inside right top
set xlabel 'rank in ept\_hot'."'".'s final table'
set ylabel 'estimated accesses/s (log)'
set logscale y
set xrange [0:top + 1]
# The few cold and system frames are drawn last and larger, on top of
# the hot ones, so that none is hidden.
plot out.'/rank.hot.dat' using 1:2 with points pt 7 ps 0.6 lc rgb '#f4a582' title 'hot (truth)', \
     out.'/rank.cold.dat' using 1:2 with points pt 9 ps 1.3 lc rgb '#2166ac' title 'cold (truth)', \
     out.'/rank.sys.dat' using 1:2 with points pt 5 ps 1.1 lc rgb '#252525' title 'system frame (code, stack, page tables)'

set output 'precision-at-n.png'
set key inside right center box opaque
unset logscale y
set title 'hot share of the top N data frames: ept\_hot, and analysis/hotness on the same samples'
set xlabel 'N (data frames, best first)'
set ylabel 'share of the top N that is hot'
set yrange [0:1.02]
set xrange [1:*]
set autoscale xfixmax
set logscale x
plot out.'/precision.dat' using 1:2 with lines lw 2 lc rgb '#d95f02' title 'ept\_hot', \
     out.'/precision.dat' using 1:3 with lines lw 2 dt 2 lc rgb '#1b9e77' title 'analysis/hotness', \
     chance with lines lw 1.5 dt 2 lc rgb '#636363' title sprintf('chance (%.2f)', chance)
