# experiments/mmu-load/plot.gp - plots of the mmu-load experiment, from the
# data files experiments/mmu-load/run leaves in `out`:
#   rate.dat   run R_asked cr3_per_s loads_per_s   (8 address spaces, shadow)
#   as.dat     K cr3_per_s loads_per_s loads_per_switch   (200/s asked, shadow)
#   tdp.dat    run cr3_per_s loads_per_s
#   RUN.ns.dat, RUN.per_s.dat   low high count   (analysis/histo --data)
set encoding utf8
set terminal pngcairo size 800,500 font ",10" noenhanced
set grid lc rgb '#dddddd'

set output 'loads_vs_switches.png'
set title "kvm_mmu_load per second against the guest's CR3 switches per second (2 vCPUs, lab)"
set xlabel "guest CR3 switches per second (both vCPUs)"
set ylabel "kvm_mmu_load per second"
set key top left
set xrange [0:*]
set yrange [0:*]
stats out.'/as.dat' using ($1 <= 4 ? $2 : 1/0) nooutput name 'AS'
set label 2 "K = 1, 2, 4: no loads\n(cache hits)" at first AS_mean, graph 0.12 center tc rgb '#1f77b4'
plot x with lines dt 2 lc rgb 'gray50' title 'one load per switch', \
     out.'/rate.dat' using 3:4 with linespoints pt 7 lc rgb '#d62728' title 'shadow, 8 address spaces, 0-1000 switches/s asked', \
     out.'/rate.dat' using 3:4:(sprintf('%s/s', strcol(2))) with labels offset 0,1 notitle, \
     out.'/as.dat' using 2:3 with points pt 5 ps 1.2 lc rgb '#1f77b4' title 'shadow, 1, 2, 4, 5, 8 address spaces, 200/s asked', \
     out.'/as.dat' using 2:($1 == 8 ? $3 : 1/0):('K = 5, 8') with labels offset 5,-0.2 tc rgb '#1f77b4' notitle, \
     out.'/tdp.dat' using 2:3 with points pt 9 ps 1.8 lc rgb '#2ca02c' title 'TDP, 8 address spaces, 1000/s asked'

unset label 2
set output 'loads_per_switch.png'
set title "loads per CR3 switch that reached KVM, by number of guest address spaces\n(shadow paging; KVM caches the current root and 3 previous ones)"
set xlabel "guest address spaces (CR3 values the vCPU goes round)"
set ylabel "kvm_mmu_load per kvm_mmu_new_pgd"
set xrange [0.5:8.5]
set yrange [0:1.2]
set xtics 1
set style fill solid 0.6
set boxwidth 0.6
set arrow 1 from 4.5,0 to 4.5,1.2 nohead dt 2 lc rgb 'gray40'
set label 1 "cache holds 4" at 4.55,1.1
plot out.'/as.dat' using 1:($1 == 1 ? 1/0 : $4) with boxes lc rgb '#1f77b4' notitle, \
     out.'/as.dat' using 1:($1 == 1 ? 0.3 : 1/0):("1 CR3:\nno switch\nreaches\nKVM") with labels notitle
unset arrow 1
unset label 1
unset xtics
set xtics auto

set output 'load_time.png'
set title "time of one kvm_mmu_load (lab, TCG; log2 buckets)"
set xlabel "load time (bucket lower bound, log scale)"
set ylabel "share of the run's loads"
set logscale x 10
set xtics ('1 µs' 1e3, '10 µs' 1e4, '100 µs' 1e5, '1 ms' 1e6, '10 ms' 1e7, '100 ms' 1e8, '1 s' 1e9)
set xrange [*:*]
set yrange [0:*]
set key top right
stats out.'/busy.ns.dat' using 3 nooutput name 'B'
stats out.'/ptw.ns.dat' using 3 nooutput name 'P'
stats out.'/tdp_churn.ns.dat' using 3 nooutput name 'T'
plot out.'/busy.ns.dat' using 1:($3 / B_sum) with linespoints pt 7 lc rgb '#d62728' title 'shadow, 8 address spaces, switching', \
     out.'/ptw.ns.dat' using 1:($3 / P_sum) with linespoints pt 5 lc rgb '#ff7f0e' title 'shadow, switching + page-table writes', \
     out.'/tdp_churn.ns.dat' using 1:($3 / T_sum) with linespoints pt 9 lc rgb '#2ca02c' title 'TDP, memslot churn'
unset logscale x
set xtics auto

set output 'loads_per_second.png'
set title "kvm_mmu_load per second, as the seed's @hist_linear (count of seconds)"
set xlabel "loads in one second (bucket lower bound)"
set ylabel "seconds"
set style fill solid 0.6
set boxwidth 60
set xrange [-120:2300]
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set key top right
plot out.'/idle.per_s.dat' using ($1 - 35):3 with boxes lc rgb '#1f77b4' title 'idle: no CR3 switch', \
     out.'/busy.per_s.dat' using ($1 + 35):3 with boxes lc rgb '#d62728' title 'busy: 8 address spaces, 1000 switches/s asked'
