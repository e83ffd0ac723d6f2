#!/bin/sh
# Test the checker on hand-made logs: each case names a log in this folder
# (copied to barber.out; `-` for no barber.out at all, `/` for a directory
# named barber.out), the test's arguments,
# the checker's expected exit status and a piece of text its message must
# contain. Run from anywhere: sh checkers/tests/run.sh
# Exit status 0 when every case gives the expected verdict.
here=$(cd "$(dirname "$0")" && pwd)
checker="$here/../check_log.pl"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# case LOG ARGS_JSON STATUS TEXT
case_() {
    rm -rf "$tmp/files"
    mkdir "$tmp/files"
    case $1 in
    -) ;;
    /) mkdir "$tmp/files/barber.out" ;;
    *) cp "$here/$1.out" "$tmp/files/barber.out" ;;
    esac
    out=$(IPCGRADE_FILES="$tmp/files" IPCGRADE_ARGS="$2" "$checker" 2>&1)
    status=$?
    if [ "$status" -eq "$3" ] && printf '%s\n' "$out" | grep -qF -- "$4"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s %s: expected status %s and "%s", got status %s:\n%s\n\n' \
            "$1" "$2" "$3" "$4" "$status" "$out"
    fi
}

A='["3","1","0","0"]'       # the arguments of most logs: 3 customers, 1 chair

# Correct logs.
case_ good-base                        "$A" 0 'OK: 19 lines; 2 of 3 customers got a haircut, 1 found no free chair'
case_ good-no-final-newline            "$A" 0 'OK: 19 lines'
case_ good-first-cut-home-after-finish '["1","1","0","0"]' 0 'OK: 7 lines'
case_ good-overlapping                 '["4","2","10","10"]' 0 'OK: 25 lines; 3 of 4 customers'
case_ good-base                        '["3","1","1000000","1000000"]' 0 'OK'
case_ good-base                        '["+3","01","0","-0"]' 0 'OK'

# Invalid arguments: the program must not have created barber.out.
case_ -         '["3","1","0"]'            0 'no barber.out was created'
case_ -         '[]'                        0 'no barber.out was created'
case_ -         '["five","1","0","0"]'      0 'no barber.out was created'
case_ -         '["3","0","0","0"]'         0 'no barber.out was created'
case_ -         '["0","1","0","0"]'         0 'no barber.out was created'
case_ -         '["3","1","-1","0"]'        0 'no barber.out was created'
case_ -         '["3","1","0","1000001"]'   0 'no barber.out was created'
case_ -         '["3","1","10ms","0"]'      0 'no barber.out was created'
case_ -         '["3","1"," 5","0"]'        0 'no barber.out was created'
case_ -         '["99999999999999999999","1","0","0"]' 0 'no barber.out was created'
case_ good-base '["3","0","0","0"]'         1 'are invalid'
case_ good-base '["3","1","0","0","7"]'     1 'are invalid'

# The file.
case_ -         "$A" 1 'left no file barber.out'
case_ bad-empty "$A" 1 'barber.out is empty'
case_ /         "$A" 1 'barber.out is not a regular file'

# The form of a line.
case_ bad-form-words            "$A" 1 "line 1 \"1: B: barber sleeps\": 'barber sleeps' is not one of the barber's actions"
case_ bad-form-no-colons        "$A" 1 'line 1 "1 B sleeps": this is not of the form `N: ACTOR: ACTION`'
case_ bad-form-leading-zero     "$A" 1 "line number '01' is not a positive decimal number"
case_ bad-form-actor            "$A" 1 'not of the form'
case_ bad-form-customer-0       "$A" 1 "'C 0' is not an actor"
case_ bad-form-customer-too-big "$A" 1 'there is no customer 4: with NC=3'
case_ bad-form-barber-action    "$A" 1 '`sleeps` is something the barber does, not a customer'
case_ bad-form-unknown-action   "$A" 1 "'arrives' is not one of a customer's actions"
case_ bad-form-trailing-space   "$A" 1 'spaces or tabs at its beginning or end'
case_ bad-form-crlf             "$A" 1 'line 2 "2: C 1: enters\x0d": the line ends with a carriage return'
case_ bad-form-empty-line       "$A" 1 'line 2 "": the line is empty'

# The counter.
case_ bad-counter-duplicate "$A" 1 'line 6 "5: C 2: enters": the number 5 was already used on line 5'
case_ bad-counter-gap       "$A" 1 'line 6 "7: C 2: enters": this line should have number 6, but it has 7: the numbers jump'
case_ bad-counter-swapped   "$A" 1 'line 6 "7: C 2: enters": this line should have number 6, but it has 7'
case_ bad-counter-from-0    "$A" 1 'line 1 "0: B: sleeps": the line number '"'0'"

# Each actor's own order.
case_ bad-order-no-enter                "$A" 1 "customer 1 has not entered yet: a customer's first line is \`enters\`"
case_ bad-order-haircut-without-sitting "$A" 1 'customer 3 gets a haircut, but he never sat in the waiting room'
case_ bad-order-enters-twice            "$A" 1 'customer 1 enters a second time'
case_ bad-order-after-leaving           "$A" 1 'customer 2 already left on line 7'
case_ bad-order-cut-while-asleep        "$A" 1 'the barber cannot `cuts hair` right after `sleeps` (line 1)'
case_ bad-order-finish-without-cut      "$A" 1 'the barber cannot `finishes` right after `wakes` (line 5)'
case_ bad-order-wake-twice              "$A" 1 'customer 1 wakes the barber right after `wakes the barber`'

# The shop's rules.
case_ bad-rule-sits-room-full        "$A" 1 'line 7 "7: C 2: sits in the waiting room": customer 2 sits down in the waiting room, but its only chair is already taken (by customer 1)'
case_ bad-rule-leaves-chair-free     "$A" 1 'line 11 "11: C 3: leaves: no free chair": customer 3 leaves because there is no free chair, but the waiting room has a free chair (0 of 1 taken)'
case_ bad-rule-wakes-awake-barber    '["1","1","0","0"]' 1 'customer 1 wakes the barber, but the barber is not asleep (he has not written any line yet)'
case_ bad-rule-woken-twice           '["2","2","0","0"]' 1 'customer 2 wakes the barber, but customer 1 already woke him on line 4'
case_ bad-rule-wakes-alone           "$A" 1 'line 4 "4: B: wakes": the barber wakes up, but no customer woke him'
case_ bad-rule-sleeps-with-waiting   "$A" 1 'line 3 "3: B: sleeps": the barber goes to sleep while customer 1 is waiting'
case_ bad-rule-sleeps-chair-taken    '["1","1","0","0"]' 1 'the barber goes to sleep while customer 1 sits in the barber chair'
case_ bad-rule-haircut-barber-asleep "$A" 1 'line 5 "5: C 1: gets a haircut": customer 1 gets a haircut, but the barber is asleep (line 1)'
case_ bad-rule-chair-taken           "$A" 1 'line 12 "12: C 3: gets a haircut": customer 3 gets a haircut, but customer 1 is still in the barber chair'
case_ bad-rule-cut-empty-chair       "$A" 1 'line 8 "8: B: cuts hair": the barber cuts hair, but nobody sits in the barber chair'
case_ bad-rule-leaves-before-finish  "$A" 1 'line 12 "12: C 1: leaves with a haircut": customer 1 leaves with a haircut, but the barber has not finished it'
case_ bad-rule-home-too-early        "$A" 1 'line 17 "17: B: goes home": the barber goes home, but customer 3 (still in the shop) has not left'
case_ bad-rule-home-before-arrivals  "$A" 1 'the barber goes home, but customers 1, 2 and 3 (not arrived yet) have not left'

# The end of the log.
case_ bad-end-missing-customer "$A" 1 'customer 3 never appears in barber.out'
case_ bad-end-customer-stays   "$A" 1 'customer 3 never leaves the shop: his last line is `gets a haircut` (line 14)'
case_ bad-end-no-goes-home     "$A" 1 'the barber never goes home: his last line is `sleeps` (line 18)'

# The checker's own errors are not the student's.
out=$(IPCGRADE_ARGS="$A" "$checker" 2>&1); status=$?
if [ "$status" -eq 2 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: no IPCGRADE_FILES gave status $status: $out"; fi

echo "checker tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
