# kvmstat_json.sh - the one reader of `kvmstat --json` for tests and
# experiments. Sourced; needs perl's JSON::PP (in perl-modules, with perl).
#
# kvmstat_json_rows FILE: one line per statistic of FILE's first record,
# "NAME VALUE [BUCKET...]". A histogram's VALUE is the sum of its buckets.
kvmstat_json_rows() {
	perl -MJSON::PP -e '
		my $j = decode_json(scalar <STDIN>);
		for my $s (@{$j->{stats}}) {
			my @b = @{$s->{buckets} // []};
			my $v = $s->{value};
			if (@b) { $v = 0; $v += $_ for @b; }
			print join(" ", $s->{name}, $v, @b), "\n";
		}' <"$1"
}

# kvmstat_json_value FILE NAME: NAME's VALUE (see above), or nothing.
kvmstat_json_value() {
	kvmstat_json_rows "$1" | awk -v n="$2" '$1 == n { print $2; exit }'
}

# kvmstat_json_reasons FILE: the `--exit-reasons --json` records of FILE
# (one a line), summed: "CODE COUNT TIME_NS" per exit reason, by code,
# then "unpaired N" and "lost N".
kvmstat_json_reasons() {
	perl -MJSON::PP -ne '
		my $j = decode_json($_);
		$lost += $j->{lost};
		$unpaired += $j->{unpaired};
		for my $r (@{$j->{reasons}}) {
			$count{$r->{code}} += $r->{count};
			$ns{$r->{code}} += $r->{time_ns};
		}
		END {
			print "$_ $count{$_} $ns{$_}\n" for sort { $a <=> $b } keys %count;
			printf "unpaired %d\nlost %d\n", $unpaired, $lost;
		}' <"$1"
}
