# experiments/mmu-pages-dfs/plot.gp - the sample kvm_mmu_pages list as a
# tree, and the lengths of the lists, from the files dfs.awk and
# experiments/mmu-pages-dfs/run leave in `out`:
#   tree2.dat  I LEVEL PARENT_I IS_LEAF ON_PATH   (sample = the walk's number)
#   nr.dat     NR ZAP_LISTS SYNC_LISTS
set terminal pngcairo size 900,460 font ",10" noenhanced
set grid

set output 'dfs_walk.png'
set title sprintf("kvm_mmu_pages of zap walk %s as a tree: a depth-first list\n(grey: list order; arrows: each page's parent; red: the mmu_page_path of the last leaf)", sample)
set xlabel "index in kvm_mmu_pages"
set ylabel "shadow page level"
set xrange [-0.5:*]
set yrange [0.5:4.6]
set ytics 1
set xtics 1
set key inside top right box opaque
plot out.'/tree2.dat' using 1:2 with lines lw 1 dt 3 lc rgb 'gray60' title 'list order', \
     out.'/tree2.dat' using ($3 >= 0 ? $1 : 1/0):2:($3 - $1):(1) with vectors head filled size 0.15,20 lc rgb '#1f77b4' title 'parent (one level up)', \
     out.'/tree2.dat' using ($5 == 1 && $3 >= 0 ? $1 : 1/0):2:($3 - $1):(1) with vectors head filled size 0.15,20 lw 2.5 lc rgb '#d62728' title 'mmu_page_path of the last leaf', \
     out.'/tree2.dat' using 1:2 with points pt 7 ps 1.6 lc rgb 'black' notitle, \
     out.'/tree2.dat' using ($4 == 1 ? $1 : 1/0):2 with points pt 7 ps 1.2 lc rgb '#2ca02c' title 'unsync leaf (level 1)'

set output 'walk_lengths.png'
set title "pages per kvm_mmu_pages list (16 = full: the walk stops with -ENOSPC and is repeated)"
set xlabel "pages in the list (nr)"
set ylabel "share of the lists"
set xrange [0.3:16.7]
set yrange [0:*]
set xtics 1
set ytics auto
set format y "%.0f%%"
set style fill solid 0.6
set boxwidth 0.35
set key inside top right box opaque
stats out.'/nr.dat' using 2 nooutput name 'Z'
stats out.'/nr.dat' using 3 nooutput name 'S'
plot out.'/nr.dat' using ($1 - 0.18):(100 * $2 / Z_sum) with boxes lc rgb '#d62728' title sprintf('zap (mmu_zap_unsync_children): %d lists', Z_sum), \
     out.'/nr.dat' using ($1 + 0.18):(100 * $3 / S_sum) with boxes lc rgb '#1f77b4' title sprintf('sync (mmu_sync_children), lists of more than 1 page: %d', S_sum)
