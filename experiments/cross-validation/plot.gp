# experiments/cross-validation/plot.gp - the plots of cross-validation, drawn
# by exp_plot in results/cross-validation/ with `out` = the run's scratch
# folder and `tol` = xval's tolerance (text).
#   $out/persec.dat  second matched module_only tapset_only
#   $out/lag.dat     low_us count: the lag from the module's sample to the
#                    fault path's probe, log2 buckets (0.5 = below 1 us)
set encoding utf8
set terminal pngcairo size 1000,520 font ',11'
set grid lc rgb '#dddddd'
set key below horizontal maxrows 1 samplen 2 width 2

set output 'agreement-per-second.png'
set title 'module samples matched with the first TDP fault on the unit, and the unmatched ones, per second'
set xlabel 'second of the run'
set ylabel 'matched per second'
set y2label 'unmatched per second'
set ytics nomirror
set y2tics
set xrange [-0.5:*]
set yrange [0:*]
stats out.'/persec.dat' using ($3 > $4 ? $3 : $4) nooutput name 'U'
set y2range [0:(U_max > 0 ? U_max : 1) * 1.2]
plot out.'/persec.dat' using 1:2 with linespoints lw 2 pt 7 lc rgb '#1b9e77' title 'matched', \
     out.'/persec.dat' using ($1-0.1):3 axes x1y2 with impulses lw 4 lc rgb '#d95f02' title 'module-only', \
     out.'/persec.dat' using ($1+0.1):4 axes x1y2 with impulses lw 4 lc rgb '#7570b3' title 'tapset-only'

set output 'lag.png'
set autoscale x
unset y2label
unset y2tics
set ytics mirror
set title 'lag from the module'."'".'s sample to KVM'."'".'s fault path on the same fault (matched pairs, tolerance '.tol.')'
set xlabel 'lag (µs; log2 buckets, 0.5 = below 1 µs)'
set ylabel 'pairs'
set logscale x 2
set logscale y
set yrange [0.8:*]
set boxwidth 0.8 relative
plot out.'/lag.dat' using 1:2 with boxes fill solid 0.6 lc rgb '#1b9e77' notitle
