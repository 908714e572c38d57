# experiments/root-hpa/plot.gp - the root of each vCPU over time, from
# stp/root_hpa.stp's change lines (data prepared by experiments/root-hpa/run:
# "t_s vcpu index via" per change, and zap times). Run by exp_plot with
# out = the scratch folder, w4 and w8 = the start (s) of the shadow windows.
set terminal pngcairo size 900,480 font ",10" noenhanced
set grid lc rgb '#dddddd'
set key below horizontal maxrows 1 samplen 2 width 2
set bmargin 5

set output 'root_timeline_tdp.png'
set title "TDP, 8 vCPUs, a memslot removed every 200 ms: each vCPU's root over time\n(colour = the root, by order of appearance; dashed = zap of all roots)"
set xlabel "time since the script started (s)"
set ylabel "vCPU"
set yrange [-0.7:7.7]
set ytics 1
plot out.'/tdp_churn.zaps' using 1:(-0.6):(0):(8.2) with vectors nohead dt 2 lc rgb 'gray50' title 'zap (kvm_mmu_zap_all_fast)', \
     out.'/tdp_churn.dat' using 1:2:(int($3) % 8 + 1) with points pt 7 ps 0.9 lc variable title 'vCPU loads a root'

set output 'root_timeline_shadow.png'
set terminal pngcairo size 900,640 font ",10" noenhanced
set multiplot layout 2,1 title "shadow paging, 8 vCPUs switching CR3 100 times/s: the root of vCPUs 0 and 1 (y = the rank of its guest CR3)"
set ylabel "address space (CR3 rank)"
set xlabel "time (s)"
# One legend, under the lower panel (it lists the upper panel's markers too).
unset key
set bmargin 3
set title "4 address spaces: every switch served from the cache of previous roots"
set yrange [-0.5:3.5]
set xrange [w4:w4 + 0.5]
plot out.'/sh_as4_sw.dat' using ($2 == 0 && strcol(4) eq 'cache' ? $1 : 1/0):3 with points pt 7 lc rgb '#1f77b4' title 'vCPU 0, cache', \
     out.'/sh_as4_sw.dat' using ($2 == 0 && strcol(4) eq 'load' ? $1 : 1/0):3 with points pt 6 ps 1.5 lc rgb '#1f77b4' title 'vCPU 0, load', \
     out.'/sh_as4_sw.dat' using ($2 == 1 && strcol(4) eq 'cache' ? $1 : 1/0):3 with points pt 5 lc rgb '#d62728' title 'vCPU 1, cache', \
     out.'/sh_as4_sw.dat' using ($2 == 1 && strcol(4) eq 'load' ? $1 : 1/0):3 with points pt 4 ps 1.5 lc rgb '#d62728' title 'vCPU 1, load'
set title "8 address spaces: every switch misses the cache and costs a kvm_mmu_load"
set key below horizontal maxrows 1 samplen 2 width 2
set bmargin 5
set yrange [-0.5:7.5]
set xrange [w8:w8 + 0.5]
plot out.'/sh_as8_sw.dat' using ($2 == 0 && strcol(4) eq 'cache' ? $1 : 1/0):3 with points pt 7 lc rgb '#1f77b4' title 'vCPU 0, cache', \
     out.'/sh_as8_sw.dat' using ($2 == 0 && strcol(4) eq 'load' ? $1 : 1/0):3 with points pt 6 ps 1.5 lc rgb '#1f77b4' title 'vCPU 0, load', \
     out.'/sh_as8_sw.dat' using ($2 == 1 && strcol(4) eq 'cache' ? $1 : 1/0):3 with points pt 5 lc rgb '#d62728' title 'vCPU 1, cache', \
     out.'/sh_as8_sw.dat' using ($2 == 1 && strcol(4) eq 'load' ? $1 : 1/0):3 with points pt 4 ps 1.5 lc rgb '#d62728' title 'vCPU 1, load'
unset multiplot
