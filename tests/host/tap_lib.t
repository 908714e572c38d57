#!/usr/bin/env bash
# tap_lib.t - tests/lib/tap.sh's assertions state what must hold: gt, lt,
# ge, le and ok_if pass when their condition holds and fail, printing the
# values, when it does not. Each case runs the helper in a fresh shell
# and reads its TAP line.
. "$(dirname "$0")/../lib/tap.sh"

# tap CODE: the TAP output of CODE run after sourcing tap.sh in a new shell.
tap() { bash -c ". '$EPTSCOPE_ROOT/tests/lib/tap.sh'; $1" 2>&1; }

like "$(tap 'gt 5 4 d')" '^ok 1 - d$' "gt 5 4 passes"
like "$(tap 'gt 4 4 d')" '^not ok 1 - d$' "gt 4 4 fails"
like "$(tap 'gt 4 4 d')" '^#   want: > 4$' "... and prints what it wanted"
like "$(tap 'gt "" 0 d')" '^not ok 1 - d$' "gt on an empty value fails"
like "$(tap 'gt abc 0 d')" '^not ok 1 - d$' "gt on a word fails"
like "$(tap 'lt 3 4 d')" '^ok 1 - d$' "lt 3 4 passes"
like "$(tap 'lt 4 4 d')" '^not ok 1 - d$' "lt 4 4 fails"
like "$(tap 'lt 4 4 d')" "^#   got:  '4'$" "... and prints the value"
like "$(tap 'ge 4 4 d; le 4 4 e')" '^ok 2 - e$' "ge 4 4 and le 4 4 pass"
like "$(tap 'ge 3 4 d')" '^not ok 1 - d$' "ge 3 4 fails"

like "$(tap 'n=150; ok_if "${n:-0} >= 100" d')" '^ok 1 - d$' "ok_if: a condition that holds passes"
out=$(tap 'n=37; ok_if "${n:-0} >= 100" d')
like "$out" '^not ok 1 - d$' "ok_if: a condition that does not hold fails"
like "$out" '^#   false: 37 >= 100$' "... printing the condition with its values"
out=$(tap 'before=5000 after=100; ok_if "before - after <= 4096" d')
like "$out" '^not ok 1 - d$' "ok_if: names are the shell's variables"
like "$out" '^#   where: after=100 before=5000 $' "... and a failure prints each name's value"
like "$(tap 'ok_if "before - after <= 4096" d')" '^ok 1 - d$' "ok_if: an unset name is 0, as in \$(( ))"
like "$(tap 'f() { local sk=3; ok_if "sk >= 3" d; }; f')" '^ok 1 - d$' "ok_if sees its caller's locals"
out=$(tap 'ok_if "1 2" d; echo after')
like "$out" '^not ok 1 - d$' "ok_if: an expression that does not evaluate fails"
like "$out" '^after$' "... and the test goes on"
like "$(tap 'false; ok_if "$? != 0" d')" '^ok 1 - d$' "ok_if \"\$? != 0\": the last command failed"
like "$(tap 'true; ok_if "$? != 0" d')" '^not ok 1 - d$' "... and fails when it succeeded"
like "$(tap 'ok_if "0" d; ok_if "1" e; done_testing; echo status=$?')" '^status=1$' \
	"a failed assertion makes done_testing fail"
like "$(tap 'ok_if "1" d; gt 2 1 e; done_testing; echo status=$?')" '^status=0$' \
	"... and with none failed it passes"
like "$(tap 'ok_awk "a >= 0.9 * o" d a=0.91 o=1')" '^ok 1 - d$' "ok_awk: a decimal condition that holds passes"
out=$(tap 'ok_awk "a >= 0.9 * o" d a=0.89 o=1')
like "$out" '^not ok 1 - d$' "ok_awk: ... and one that does not, fails"
like "$out" '^#   where: a=0.89 o=1$' "... printing the values"
like "$(tap 'ok_awk "b != \"\" && b > 0" d b=')" '^not ok 1 - d$' "ok_awk: an empty value is no number"
like "$(tap 'ok_awk "(" d')" '^not ok 1 - d$' "ok_awk: an expression awk cannot read fails"
is "$(kv_in rate 'hot_rate=9 rate=12 n=1')" 12 "kv_in: a whole key, not one that ends with it"
is "$(kv_in n 'n=1 x=2
n=3 y=4')" 3 "kv_in: the last of several"
is "$(printf 'a=1 err=+2.5%%\n' | kv_in err)" "+2.5%" "kv_in: from standard input, the value as written"
is "$(kv_in missing 'a=1')" "" "kv_in: nothing for a key that is not there"
is "$(printf 'v loads=3 switches=5\nv cr3_switches=100 switches=7 switches=2\nnone\n' | kv_sum switches)" 7 "kv_sum: each line's last whole KEY word, summed"
is "$(printf '' | kv_sum n)" 0 "kv_sum: 0 for no lines"
done_testing
