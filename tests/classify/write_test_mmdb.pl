#!/usr/bin/perl
# Writes the small MaxMind-format database geo_test.cc checks GeoLocator's
# MaxMind source against: a few networks with a country and a city, one
# with a country only, one with only the registered country (as anonymous
# proxies carry). Debian: libmaxmind-db-writer-perl.
#
#   write_test_mmdb.pl OUTPUT.mmdb [4|6]     (IP version, default 6)
use strict;
use warnings;
use utf8;
use MaxMind::DB::Writer::Tree;

my ($output, $ip_version) = @ARGV;
die "usage: $0 OUTPUT.mmdb [4|6]\n" unless defined $output;
$ip_version //= 6;

my %types = (
    city               => 'map',
    country            => 'map',
    registered_country => 'map',
    names              => 'map',
    en                 => 'utf8_string',
    de                 => 'utf8_string',
    iso_code           => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => $ip_version,
    record_size           => 24,
    database_type         => 'Shortlink-Test-City',
    languages             => ['en'],
    description           => { en => 'shortlink tests/classify geo_test' },
    map_key_type_callback => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4    => ($ip_version == 6 ? 1 : 0),
);

sub city_of {
    my ($country, $city) = @_;
    return { country => { iso_code => $country }, city => { names => { en => $city, de => "$city (de)" } } };
}

$tree->insert_network('81.2.69.0/24',    city_of('GB', 'London'));
$tree->insert_network('89.160.20.0/24',  city_of('SE', 'Linköping'));
$tree->insert_network('200.160.0.0/20',  city_of('BR', 'São Paulo'));
$tree->insert_network('1.0.0.0/24',      { country => { iso_code => 'AU' } });
$tree->insert_network('185.220.100.0/24', { registered_country => { iso_code => 'DE' } });
if ($ip_version == 6) {
    $tree->insert_network('2a02:8100::/32', city_of('DE', 'Berlin'));
    $tree->insert_network('2001:218::/32',  { country => { iso_code => 'JP' } });
}

open my $fh, '>:raw', $output or die "cannot write $output: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot write $output: $!\n";
