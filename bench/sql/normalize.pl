#!/usr/bin/perl
# bench/sql/normalize.pl FILE: prints each SQL statement of a pgbench script
# on one line, as PostgreSQL logs what deploy-api sends, so bench/run.sh can
# compare the two: comments and whitespace removed, and parameters numbered
# as the worker numbers them:
#   NULL/*$n*/      a parameter the worker binds to NULL, which pgbench cannot
#                   bind: "$n";
#   (EXPR)/*$n*/    a parameter whose value only the database knows at that
#                   point (pgbench cannot pass a value from one statement to
#                   the next without \gset, which needs every result column to
#                   be a valid variable name): "$n";
#   :var/*$n*/      a pgbench variable pinned to number n, for when the worker
#                   binds the same value twice as two parameters or out of
#                   order: "$n";
#   :var            numbered $1, $2... in order of first appearance within its
#                   statement, skipping the numbers taken by the markers above.
# Meta-commands (\set, \gset...) are dropped. With -l, reads log lines
# instead: one statement per line, whitespace removed.
use strict;
use warnings;

my $log = @ARGV && $ARGV[0] eq '-l' ? shift @ARGV : undef;
local $/;
my $text = <>;
if ($log) {
	for (split /\n/, $text) { s/\s+//g; print "$_\n" if length; }
	exit 0;
}
$text =~ s/^\s*\\[^\n]*$//mg;          # meta-commands
$text =~ s/--[^\n]*//g;                # -- comments
for my $stmt (split /;\s*(?:\n|$)/, $text) {
	next unless $stmt =~ /\S/;
	my %taken = map { $_ => 1 } ($stmt =~ m{/\*\$(\d+)\*/}g);
	$stmt =~ s{NULL/\*(\$\d+)\*/}{$1}g;
	$stmt =~ s{(\((?:[^()]++|(?1))*\))\s*/\*(\$\d+)\*/}{$2}g;
	$stmt =~ s{(?<!:):[A-Za-z_][A-Za-z0-9_]*/\*(\$\d+)\*/}{$1}g;
	$stmt =~ s{/\*.*?\*/}{}gs;
	my (%n, $k);
	$k = 0;
	$stmt =~ s{(?<!:):([A-Za-z_][A-Za-z0-9_]*)}{
		unless (exists $n{$1}) { $k++ while $taken{$k + 1}; $n{$1} = ++$k; }
		'$' . $n{$1}
	}ge;
	$stmt =~ s/\s+//g;
	print "$stmt\n";
}
