#!/usr/bin/perl
# check_log.pl - the protocol checker of the sleeping-barber assignment.
#
# Reads $IPCGRADE_FILES/barber.out and the test's arguments from
# $IPCGRADE_ARGS (a JSON array of strings, e.g. ["5","2","100","200"]),
# replays the log line by line and stops at the first line that breaks a
# rule, naming that line and the rule. The rules are those of the handout
# (README.md, "The log"); keep both in step.
#
# Exit status: 0 the log is correct, 1 it is not (both charged to the
# student), 2 the checker itself could not run (missing environment).
# There is no partial credit: the checker never prints a `score:` line.
#
# When the arguments are invalid (the error-path tests), the program must
# have stopped before creating anything: the checker then passes when there
# is NO barber.out.
#
# Written in Perl because perl-base is Essential on Debian and Ubuntu (it is
# on every installation, unlike python3), and only its core (strict,
# warnings) is used. Usable by hand:
#   IPCGRADE_FILES=. IPCGRADE_ARGS='["5","2","100","200"]' checkers/check_log.pl
use strict;
use warnings;

# The argument ranges of the handout.
my @RANGES = (
    ['NC',  1, 1000],       # customers
    ['NCH', 1, 1000],       # chairs in the waiting room
    ['TC',  0, 1000000],    # max. us between arrivals
    ['TB',  0, 1000000],    # max. us of a haircut
);

my @BARBER_ACTIONS   = ('sleeps', 'wakes', 'cuts hair', 'finishes', 'goes home');
my @CUSTOMER_ACTIONS = ('enters', 'sits in the waiting room', 'leaves: no free chair',
                        'wakes the barber', 'gets a haircut', 'leaves with a haircut');

# The legal next action of each actor after its previous one ('' = none yet).
my %BARBER_NEXT = (
    ''          => ['sleeps', 'cuts hair', 'goes home'],
    'sleeps'    => ['wakes', 'goes home'],
    'wakes'     => ['cuts hair'],
    'cuts hair' => ['finishes'],
    'finishes'  => ['sleeps', 'cuts hair', 'goes home'],
    'goes home' => [],
);
my %CUSTOMER_NEXT = (
    ''                         => ['enters'],
    'enters'                   => ['sits in the waiting room', 'leaves: no free chair'],
    'sits in the waiting room' => ['wakes the barber', 'gets a haircut'],
    'wakes the barber'         => ['gets a haircut'],
    'gets a haircut'           => ['leaves with a haircut'],
    'leaves: no free chair'    => [],
    'leaves with a haircut'    => [],
);

binmode STDOUT, ':utf8';
$| = 1;

sub internal {
    print "checker error (not your fault, please tell your instructor): @_\n";
    exit 2;
}

my $files = $ENV{IPCGRADE_FILES};
my $args_json = $ENV{IPCGRADE_ARGS};
internal('IPCGRADE_FILES is not set') unless defined $files;
internal('IPCGRADE_ARGS is not set') unless defined $args_json;
my $log_path = "$files/barber.out";

# ---------------------------------------------------------------- arguments

sub json_string_array {
    my ($text) = @_;
    my @out;
    my $s = $text;
    $s =~ s/\A\s*\[\s*//s or internal("IPCGRADE_ARGS is not a JSON array: $text");
    return @out if $s =~ /\A\]\s*\z/s;
    for (;;) {
        $s =~ s/\A"((?:[^"\\]|\\.)*)"\s*//s
            or internal("IPCGRADE_ARGS is not a JSON array of strings: $text");
        my $str = $1;
        $str =~ s{\\(?:u([0-9a-fA-F]{4})|(.))}{
            defined $1 ? chr(hex $1)
            : { n => "\n", t => "\t", r => "\r", b => "\b", f => "\f" }->{$2} // $2
        }gse;
        push @out, $str;
        next if $s =~ s/\A,\s*//s;
        last if $s =~ /\A\]\s*\z/s;
        internal("IPCGRADE_ARGS is not a JSON array of strings: $text");
    }
    return @out;
}

# The arguments as the program must read them, or undef when they are invalid.
sub valid_args {
    my @args = @_;
    return undef unless @args == @RANGES;
    my @values;
    for my $i (0 .. $#RANGES) {
        my ($name, $min, $max) = @{ $RANGES[$i] };
        my $a = $args[$i];
        return undef unless $a =~ /\A[+-]?[0-9]+\z/;
        (my $digits = $a) =~ s/\A[+-]?0*//;
        return undef if length($digits) > 9;    # far outside every range
        my $v = 0 + $a;
        return undef if $v < $min || $v > $max;
        push @values, $v;
    }
    return \@values;
}

my @args = json_string_array($args_json);
my $values = valid_args(@args);

if (!defined $values) {
    # An error-path test: the program must refuse to run.
    if (-e $log_path) {
        print "The arguments (", join(' ', map { "'$_'" } @args), ") are invalid, so the "
            . "program must print a message on stderr and exit with status 1 before it "
            . "creates anything, but it left a barber.out behind. Check the arguments "
            . "first, then create the file, the shared memory and the processes.\n";
        exit 1;
    }
    print "OK: invalid arguments, and no barber.out was created.\n";
    exit 0;
}
my ($NC, $NCH) = @$values;

# ---------------------------------------------------------------- the log

unless (-e $log_path) {
    print "Your program left no file barber.out in its working directory. Every "
        . "process appends its lines to barber.out (created by the main process, in "
        . "the current directory, before the first fork).\n";
    exit 1;
}
if (-d $log_path || !-f $log_path) {
    print "barber.out is not a regular file: it must be a text file with the log lines.\n";
    exit 1;
}
open(my $fh, '<:raw', $log_path) or internal("cannot open $log_path: $!");

my @lines;          # the lines read so far (for context)

# Show a line safely: printable ASCII only, at most 100 characters.
sub show {
    my ($s) = @_;
    $s =~ s/([^\x20-\x7e])/sprintf('\\x%02x', ord $1)/ge;
    $s = substr($s, 0, 100) . '...' if length($s) > 100;
    return $s;
}

sub list_ids {
    my @ids = sort { $a <=> $b } @_;
    return 'customer ' . $ids[0] if @ids == 1;
    my $last = pop @ids;
    return 'customers ' . join(', ', @ids) . " and $last";
}

sub plural { my ($n, $word) = @_; return "$n $word" . ($n == 1 ? '' : 's'); }

# Print the verdict for line $k and stop.
sub fail_line {
    my ($k, $msg) = @_;
    print "barber.out line $k \"", show($lines[$k - 1]), "\": $msg\n";
    my $from = $k - 6 < 1 ? 1 : $k - 6;
    if ($from < $k) {
        print "The lines before it:\n";
        print "  ", show($lines[$_ - 1]), "\n" for $from .. $k - 1;
    }
    print "(Arguments: NC=$NC, NCH=$NCH: " . plural($NC, 'customer') . ', '
        . plural($NCH, 'chair') . " in the waiting room.)\n";
    exit 1;
}

sub fail_end {
    my ($msg) = @_;
    print "$msg\n(Arguments: NC=$NC, NCH=$NCH: " . plural($NC, 'customer') . ', '
        . plural($NCH, 'chair') . ' in the waiting room; barber.out has '
        . plural(scalar @lines, 'line') . ".)\n";
    exit 1;
}

my %is_barber_action   = map { $_ => 1 } @BARBER_ACTIONS;
my %is_customer_action = map { $_ => 1 } @CUSTOMER_ACTIONS;

my $SYNC_HINT = 'Every process must take the next number from the counter in shared '
    . 'memory and write its line inside ONE critical section, guarded by the same '
    . 'semaphore in every process, and the line must be in the file (written or '
    . 'flushed) before the semaphore is released.';

# --- the state of the shop, replayed from the lines so far
my %counter_line;                   # counter -> line that used it
my $barber = '';                    # the barber's last action
my $barber_line = 0;                # ... and its line
my @cust = ('') x ($NC + 1);        # each customer's last action
my @cust_line = (0) x ($NC + 1);
my %waiting;                        # customer -> line he sat down
my $chair;                          # customer in the barber chair (undef: free)
my $chair_line;
my $cut_started = 0;                # the barber logged `cuts hair` for him
my %finished;                       # customer -> line of his `finishes`
my $woken_by;                       # customer who woke the barber since `sleeps`
my $woken_line;
my $home_line;                      # line of `goes home`
my ($served, $turned_away, $max_waiting) = (0, 0, 0);

my $k = 0;
while (my $raw = <$fh>) {
    $k++;
    my $text = $raw;
    $text =~ s/\n\z//;
    push @lines, $text;

    # --- form: `N: ACTOR: ACTION`
    fail_line($k, 'the line is empty; every line is `N: ACTOR: ACTION`, e.g. `1: B: sleeps`.')
        if $text eq '';
    fail_line($k, 'the line ends with a carriage return (\r); end lines with "\n" only.')
        if $text =~ /\r/;
    fail_line($k, 'the line has spaces or tabs at its beginning or end; write exactly '
        . '`N: ACTOR: ACTION`, e.g. `2: C 1: enters`.')
        if $text =~ /\A\s|\s\z/;
    my ($n, $actor, $action) = $text =~ /\A([^:]*): (B|C [^:]*): (.*)\z/s;
    fail_line($k, 'this is not of the form `N: ACTOR: ACTION` (a number, a colon and a '
        . 'space, `B` or `C i`, a colon and a space, the action), e.g. `1: B: sleeps` or '
        . '`2: C 1: enters`.')
        unless defined $n;
    fail_line($k, "the line number '" . show($n) . "' is not a positive decimal number "
        . 'without leading zeros.')
        unless $n =~ /\A[1-9][0-9]{0,17}\z/;
    my $id = 0;
    if ($actor ne 'B') {
        my ($num) = $actor =~ /\AC (.*)\z/s;
        fail_line($k, "'" . show($actor) . "' is not an actor; the barber is `B` and "
            . "customer i is `C i`, with i from 1 to $NC.")
            unless $num =~ /\A[1-9][0-9]{0,17}\z/;
        fail_line($k, "there is no customer $num: with NC=$NC the customers are "
            . "numbered from 1 to $NC.")
            if $num > $NC;
        $id = 0 + $num;
    }
    if ($id == 0 && !$is_barber_action{$action}) {
        fail_line($k, $is_customer_action{$action}
            ? "`$action` is something a customer does, not the barber."
            : "'" . show($action) . "' is not one of the barber's actions: `"
              . join('`, `', @BARBER_ACTIONS) . '` (exactly, in lower case).');
    }
    if ($id != 0 && !$is_customer_action{$action}) {
        fail_line($k, $is_barber_action{$action}
            ? "`$action` is something the barber does, not a customer."
            : "'" . show($action) . "' is not one of a customer's actions: `"
              . join('`, `', @CUSTOMER_ACTIONS) . '` (exactly, in lower case).');
    }

    # --- the counter: consecutive from 1, in file order
    if ($n != $k) {
        if (exists $counter_line{$n}) {
            fail_line($k, "the number $n was already used on line $counter_line{$n}: two "
                . "lines got the same number, and line $k should have number $k. $SYNC_HINT");
        }
        if ($n > $k) {
            fail_line($k, "this line should have number $k, but it has $n: the numbers "
                . "jump, so lines are missing or in the wrong order (the file must list "
                . "the lines in the order of their numbers, 1, 2, 3, ...). $SYNC_HINT");
        }
        fail_line($k, "this line should have number $k, but it has $n: numbers must "
            . "start at 1 and grow by exactly 1 per line. $SYNC_HINT");
    }
    $counter_line{$n} = $k;

    # --- nothing after the barber went home
    if (defined $home_line) {
        fail_line($k, "the barber went home on line $home_line, so this line comes too "
            . 'late: `goes home` must be the very last line, after every customer has left.');
    }

    # --- each actor's own order
    if ($id == 0) {
        my @legal = @{ $BARBER_NEXT{$barber} };
        unless (grep { $_ eq $action } @legal) {
            my $after = $barber eq '' ? 'as his first line'
                : "right after `$barber` (line $barber_line)";
            my $may = @legal ? 'his next line must be `' . join('` or `', @legal) . '`'
                : 'nothing may follow';
            my $why = '';
            $why = ' A haircut is `cuts hair` and then `finishes`.'
                if $action eq 'finishes' || $barber eq 'cuts hair';
            $why = ' A sleeping barber must be woken (`wakes`) before he can cut hair.'
                if $barber eq 'sleeps' && $action eq 'cuts hair';
            $why = ' Once woken, he cuts the hair of a waiting customer (the one who '
                . 'woke him is waiting); he may not go home or back to sleep first.'
                if $barber eq 'wakes';
            fail_line($k, "the barber cannot `$action` $after: $may.$why");
        }
    } else {
        my $last = $cust[$id];
        my @legal = @{ $CUSTOMER_NEXT{$last} };
        unless (grep { $_ eq $action } @legal) {
            my $msg;
            if ($last eq '') {
                $msg = "customer $id has not entered yet: a customer's first line is `enters`.";
            } elsif (!@legal) {
                $msg = "customer $id already left on line $cust_line[$id] (`$last`); a "
                    . 'customer who has left writes nothing more.';
            } elsif ($action eq 'enters') {
                $msg = "customer $id enters a second time, without having left (his "
                    . "last line is `$last`, line $cust_line[$id]).";
            } elsif ($action eq 'gets a haircut' && $last eq 'enters') {
                $msg = "customer $id gets a haircut, but he never sat in the waiting room: "
                    . 'a customer who enters first sits down (or leaves: no free chair), '
                    . 'and waits there until the barber calls him, even when the barber is free.';
            } elsif ($action eq 'leaves with a haircut') {
                $msg = "customer $id leaves with a haircut, but he never got one "
                    . "(`gets a haircut`); his last line is `$last` (line $cust_line[$id]).";
            } elsif ($action eq 'gets a haircut') {
                $msg = "customer $id gets a second haircut; each customer gets at most one.";
            } elsif ($action eq 'wakes the barber') {
                $msg = "customer $id wakes the barber right after `$last` (line "
                    . "$cust_line[$id]); only a customer who has just sat down in the "
                    . 'waiting room wakes the barber, and only once.';
            } else {
                $msg = "customer $id cannot `$action` right after `$last` (line "
                    . "$cust_line[$id]): his next line must be `" . join('` or `', @legal) . '`.';
            }
            fail_line($k, $msg);
        }
    }

    # --- the shop's rules
    if ($id == 0) {
        if ($action eq 'sleeps') {
            if (%waiting) {
                fail_line($k, 'the barber goes to sleep while ' . list_ids(keys %waiting)
                    . (keys(%waiting) == 1 ? ' is' : ' are') . ' waiting: he may sleep only when '
                    . 'the waiting room is empty. Look at the waiting room and go to sleep in '
                    . 'one critical section.');
            }
            if (defined $chair) {
                fail_line($k, "the barber goes to sleep while customer $chair sits in the "
                    . "barber chair (line $chair_line).");
            }
            undef $woken_by;
        } elsif ($action eq 'wakes') {
            unless (defined $woken_by) {
                fail_line($k, "the barber wakes up, but no customer woke him since he fell "
                    . "asleep on line $barber_line: he wakes only when a customer has written "
                    . '`wakes the barber`. (When every customer has left, the sleeping barber '
                    . 'writes `goes home` instead of `wakes`.)');
            }
        } elsif ($action eq 'cuts hair') {
            unless (defined $chair) {
                fail_line($k, 'the barber cuts hair, but nobody sits in the barber chair: '
                    . 'the customer he called writes `gets a haircut` before the barber '
                    . '`cuts hair`.');
            }
            $cut_started = 1;
        } elsif ($action eq 'finishes') {
            $finished{$chair} = $k;
            $served++;
            undef $chair;
            $cut_started = 0;
        } elsif ($action eq 'goes home') {
            my @left_not = grep { $cust[$_] ne 'leaves with a haircut'
                                  && $cust[$_] ne 'leaves: no free chair' } 1 .. $NC;
            if (@left_not) {
                my @never = grep { $cust[$_] eq '' } @left_not;
                my @inside = grep { $cust[$_] ne '' } @left_not;
                my $who = @inside ? list_ids(@inside) . ' (still in the shop)' : '';
                $who .= ' and ' if @inside && @never;
                $who .= list_ids(@never) . ' (not arrived yet)' if @never;
                fail_line($k, "the barber goes home, but $who "
                    . (@left_not == 1 ? 'has' : 'have') . ' not left: he goes home last, '
                    . 'only after every customer has left the shop.');
            }
            $home_line = $k;
        }
        $barber = $action;
        $barber_line = $k;
    } else {
        if ($action eq 'sits in the waiting room') {
            my $w = keys %waiting;
            if ($w >= $NCH) {
                fail_line($k, "customer $id sits down in the waiting room, but "
                    . ($NCH == 1 ? 'its only chair is' : "all $NCH chairs are")
                    . ' already taken (by ' . list_ids(keys %waiting) . ')'
                    . ": he must leave (`leaves: no free chair`). Count the waiting customers "
                    . 'and sit down (or leave) in the same critical section.');
            }
            $waiting{$id} = $k;
            $max_waiting = $w + 1 if $w + 1 > $max_waiting;
        } elsif ($action eq 'leaves: no free chair') {
            my $w = keys %waiting;
            if ($w < $NCH) {
                fail_line($k, "customer $id leaves because there is no free chair, but the "
                    . "waiting room has a free chair ($w of $NCH taken"
                    . ($w ? ', by ' . list_ids(keys %waiting) : '')
                    . '): he must sit down and wait. The customer in the barber chair does '
                    . 'not take a chair of the waiting room.');
            }
            $turned_away++;
        } elsif ($action eq 'wakes the barber') {
            if ($barber ne 'sleeps') {
                fail_line($k, "customer $id wakes the barber, but the barber is not asleep "
                    . ($barber eq '' ? '(he has not written any line yet)'
                       : "(his last line is `$barber`, line $barber_line)")
                    . ': a customer wakes him only when his last line is `sleeps`.');
            }
            if (defined $woken_by) {
                fail_line($k, "customer $id wakes the barber, but customer $woken_by already "
                    . "woke him on line $woken_line: only one customer wakes him. Check and "
                    . 'change "the barber is asleep" in the same critical section.');
            }
            $woken_by = $id;
            $woken_line = $k;
        } elsif ($action eq 'gets a haircut') {
            if ($barber eq 'sleeps') {
                fail_line($k, "customer $id gets a haircut, but the barber is asleep (line "
                    . "$barber_line): he writes `wakes` before he calls a customer.");
            }
            if (defined $chair) {
                fail_line($k, "customer $id gets a haircut, but customer $chair is still in "
                    . "the barber chair (since line $chair_line; the barber has not written "
                    . '`finishes` yet): the barber calls one customer at a time.');
            }
            delete $waiting{$id};
            $chair = $id;
            $chair_line = $k;
        } elsif ($action eq 'leaves with a haircut') {
            unless (exists $finished{$id}) {
                fail_line($k, "customer $id leaves with a haircut, but the barber has not "
                    . 'finished it: the customer waits in the chair until the barber writes '
                    . '`finishes` for him.'
                    . ($cut_started ? '' : ' (The barber has not even started: no `cuts hair` yet.)'));
            }
        }
        $cust[$id] = $action;
        $cust_line[$id] = $k;
    }
}
close $fh;

# ---------------------------------------------------------------- the end

fail_end('barber.out is empty: every process writes its actions into it, the first '
    . 'line is number 1.') unless @lines;

my @never = grep { $cust[$_] eq '' } 1 .. $NC;
if (@never) {
    fail_end('customer ' . $never[0] . ' never appears in barber.out'
        . (@never > 1 ? ' (nor do ' . (@never - 1) . ' other customers)' : '')
        . ": each of the NC=$NC customers is a process that enters the shop and writes "
        . 'its lines.');
}
for my $id (1 .. $NC) {
    next if $cust[$id] eq 'leaves with a haircut' || $cust[$id] eq 'leaves: no free chair';
    fail_end("customer $id never leaves the shop: his last line is `$cust[$id]` (line "
        . "$cust_line[$id]). Every customer ends with `leaves with a haircut` or "
        . '`leaves: no free chair`.');
}
unless (defined $home_line) {
    fail_end($barber eq '' ? 'the barber never appears in barber.out.'
        : "the barber never goes home: his last line is `$barber` (line $barber_line). "
          . 'When every customer has left, he writes `goes home` as the last line.');
}

print "OK: " . plural(scalar @lines, 'line') . "; $served of $NC customers got a haircut, "
    . "$turned_away found no free chair; at most $max_waiting of $NCH "
    . ($NCH == 1 ? 'chair was' : 'chairs were') . " taken at once.\n";
exit 0;
