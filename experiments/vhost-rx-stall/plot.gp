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
# RX on the left, TX on the right; on top the traffic itself (every
# decision, a few tens of ms: its time axis in ms), below the tables each
# second (where the stall shows: the ring stands still).
set terminal pngcairo size 1200,820 font ',11'
set output 'ring-'.run.'.png'
set grid lc rgb '#dddddd'
set border 3
set xtics nomirror out
set ytics nomirror out
set key below horizontal maxrows 2 Left reverse samplen 2 width 1 font ',9'
lines(f) = int(system('wc -l < '.f))
set multiplot layout 2,2 columnsfirst title run.': workload/guest --vhost-net '.what.' under stp/vhost\_vring.stp 1 1 (lab, TCG); ring indices are 16-bit, free-running'
do for [d in 'rx tx'] {
	dec = out.'/'.run.'.'.d.'.dec'
	tab = out.'/'.run.'.'.d.'.tab'
	q = d eq 'rx' ? 'RX queue (rx 0)' : 'TX queue (tx 1)'
	sent = d eq 'rx' ? sent_rx : sent_tx
	set arrow 1 from graph 0, first sent to graph 1, first sent nohead dt 2 lw 1.5 lc rgb '#444444'
	unset label
	set label 1 (d eq 'rx' ? sprintf('%d sent by the host end', sent) : sprintf('%d sent by the guest', sent)) \
		at graph 0.99, first sent right offset 0, 0.6 font ',9'
	# y: up to what was sent, or the highest index seen, whichever is more
	stats tab using 8 nooutput
	top = STATS_max > sent ? STATS_max : sent
	stats dec using 2 nooutput
	top = STATS_max > top ? STATS_max : top
	set yrange [0 : top * 1.1]
	stats dec using ($1 * 1000) nooutput
	set xrange [STATS_min - 2 : STATS_max + 2]
	set title q.': each notify decision'
	set xlabel 'ms since vhost\_vring.stp started'
	set ylabel 'ring index'
	plot dec using ($1 * 1000):2 with steps lw 2 lc rgb '#1b9e77' title 'avail\_idx (vhost)', \
	     dec using ($1 * 1000):4 with steps lw 2 lc rgb '#d95f02' title 'last\_used\_idx (new)', \
	     dec using ($1 * 1000):5 with steps lw 1.5 dt 3 lc rgb '#7570b3' title "the guest's used\\_event", \
	     dec using ($1 * 1000):($6 != 0 ? $4 : 1/0) with points pt 7 ps 0.6 lc rgb '#000000' title 'signalled', \
	     dec using ($1 * 1000):($6 != 0 ? 1/0 : $4) with points pt 6 ps 0.6 lc rgb '#000000' title 'suppressed'
	# The STALL marks: points drawn as labels (a plot of an empty file warns).
	sf = out.'/'.run.'.stall'
	st = d eq 'rx' ? system('awk ''{ print $1 }'' '.sf) : ''
	su = d eq 'rx' ? system('awk ''{ print $2 }'' '.sf) : ''
	do for [i = 1:words(st)] {
		set label 10 + i '' at real(word(st, i)), real(word(su, i)) point pt 2 ps 3 lw 3 lc rgb '#e41a1c'
	}
	set xrange [0 : int(system('tail -n 1 '.tab." | awk '{ print $1 }'")) + 0.5]
	set title q.': the tables, each second'
	set xlabel 's since vhost\_vring.stp started'
	unset ylabel
	plot tab using 1:2 with linespoints pt 7 ps 1.4 lw 2 lc rgb '#1b9e77' title 'avail\_idx (vhost)', \
	     tab using 1:4 with linespoints pt 5 ps 1.0 lw 2 lc rgb '#d95f02' title 'last\_used\_idx', \
	     tab using 1:($8 >= 0 ? $8 : 1/0) with points pt 6 ps 2 lc rgb '#000000' title "the guest's avail idx (its ring)", \
	     tab using 1:($7 >= 0 ? $7 : 1/0) with linespoints pt 4 ps 1.2 dt 3 lc rgb '#7570b3' title "the guest's used\\_event (its ring)", \
	     keyentry with points pt 2 ps 3 lw 3 lc rgb (words(st) > 0 ? '#e41a1c' : '#ffffff') title (words(st) > 0 ? 'STALL reported (rx 0)' : ' ')
}
unset multiplot
