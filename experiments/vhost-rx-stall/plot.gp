# experiments/vhost-rx-stall/plot.gp - one run's ring indices over time,
# drawn by exp_plot in results/vhost-rx-stall/ as ring-RUN.png, with
#   out      the run's scratch folder, run  the run's name (normal, stalled),
#   sent_rx  frames the host end sent the guest, sent_tx  frames the guest sent,
#   what     the run's --vhost-net SPEC, for the title;
# from the files experiments/vhost-rx-stall/run writes in out:
#   RUN.DIR.dec  t_s avail_idx last_avail_idx new event signalled: each
#                notify decision of queue DIR (rx, tx)
#   RUN.DIR.tab  t_s avail_idx last_avail_idx last_used_idx signalled_used
#                used_event guest_used_event guest_avail_idx waiting held:
#                each table (guest_* -1 when not read)
#   RUN.stall    t_s last_used_idx: the tables where a STALL of rx was reported
# RX on top, TX below; a log time axis (the traffic lasts a fraction of a
# second, the tables come every second).
set terminal pngcairo size 1200,680 font ',11'
set output 'ring-'.run.'.png'
set grid lc rgb '#dddddd'
set border 3
set xtics nomirror out
set ytics nomirror out
set logscale x
set format x '%g'
set xlabel 'seconds since vhost\_vring.stp started (log scale)'
set ylabel 'ring index (16-bit, free-running)'
set key outside right top Left reverse samplen 2 spacing 1.1 font ',10'
pos(t) = t > 0 ? t : 1/0
lines(f) = int(system('wc -l < '.f))
set multiplot layout 2,1 title run.': workload/guest --vhost-net '.what.' under stp/vhost\_vring.stp 1 1 (lab, TCG)'
do for [d in 'rx tx'] {
	dec = out.'/'.run.'.'.d.'.dec'
	tab = out.'/'.run.'.'.d.'.tab'
	sent = d eq 'rx' ? sent_rx : sent_tx
	set title (d eq 'rx' ? 'RX queue (rx 0)' : 'TX queue (tx 1)')
	set yrange [0:sent * 1.12]
	set arrow 1 from graph 0, first sent to graph 1, first sent nohead dt 2 lw 1.5 lc rgb '#444444'
	# The STALL marks: points drawn as labels (a plot of an empty file warns).
	unset label
	set label 1 (d eq 'rx' ? sprintf('%d frames sent by the host end', sent) : sprintf('%d frames sent by the guest', sent)) \
		at graph 0.99, first sent * 1.04 right font ',10'
	sf = out.'/'.run.'.stall'
	st = d eq 'rx' ? system('awk ''{ print $1 }'' '.sf) : ''
	su = d eq 'rx' ? system('awk ''{ print $2 }'' '.sf) : ''
	do for [i = 1:words(st)] {
		set label 10 + i '' at real(word(st, i)), real(word(su, i)) point pt 2 ps 3 lw 3 lc rgb '#e41a1c'
	}
	plot dec using (pos($1)):2 with steps lw 2 lc rgb '#1b9e77' title 'avail\_idx (vhost, at each decision)', \
	     dec using (pos($1)):4 with steps lw 2 lc rgb '#d95f02' title 'last\_used\_idx (new, at each decision)', \
	     dec using (pos($1)):5 with steps lw 1.5 dt 3 lc rgb '#7570b3' title "used\\_event (the guest's, as vhost read it)", \
	     tab using (pos($1)):2 with points pt 7 ps 1.4 lc rgb '#1b9e77' title 'avail\_idx (table)', \
	     tab using (pos($1)):4 with points pt 5 ps 1.0 lc rgb '#d95f02' title 'last\_used\_idx (table)', \
	     tab using (pos($1)):($8 >= 0 ? $8 : 1/0) with points pt 6 ps 2 lc rgb '#000000' title "the guest's avail idx (its ring, table)", \
	     keyentry with points pt 2 ps 3 lw 3 lc rgb (words(st) > 0 ? '#e41a1c' : '#ffffff') title (words(st) > 0 ? 'STALL reported (rx 0)' : ' ')
}
unset multiplot
