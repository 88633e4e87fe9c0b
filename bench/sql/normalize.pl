#!/usr/bin/perl
# bench/sql/normalize.pl FILE: prints each SQL statement of a pgbench script
# on one line, as PostgreSQL logs what deploy-api sends, so bench/run.sh can
# compare the two: comments and whitespace removed, "NULL/*$n*/" (a parameter
# the worker binds to NULL, which pgbench cannot bind) as "$n", and every
# ":variable" numbered $1, $2... in order of first appearance within its
# statement, skipping the numbers taken by NULL/*$n*/ markers. Meta-commands
# (\set, \gset...) are dropped. With -l, reads log lines instead: one
# statement per line, whitespace removed.
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
	my %taken = map { $_ => 1 } ($stmt =~ m{NULL/\*\$(\d+)\*/}g);
	$stmt =~ s{NULL/\*(\$\d+)\*/}{$1}g;
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
