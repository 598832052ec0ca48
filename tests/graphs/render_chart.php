<?php
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Renders one graph of a graph template with the Icinga Web 2 graphite module's own code:
// Icinga Web 2 bootstrapped as icingacli does it (ICINGAWEB_CONFIGDIR from the environment),
// the module's Templates::loadIni() parses the file, and its Chart + GraphImage build the
// graphite-web /render request (targets from the template's functions, its urlparams, the
// module's defaults) and fetch the PNG through its GraphiteWebClient. The monitoring backend
// (IDO or Icinga DB) that picks the metrics of a service in the web UI is not involved: the
// test names the metric of every curve.
//
// php render_chart.php INI CHECK_COMMAND TEMPLATE GRAPHITE_URL OUT.png FROM WIDTH HEIGHT
//     curve=metric...
// Prints the names of the templates for CHECK_COMMAND; exit 0 with the PNG written, 1 with
// the error on stderr.

require_once '/usr/share/php/Icinga/Application/EmbeddedWeb.php';

use Icinga\Application\EmbeddedWeb;
use Icinga\Module\Graphite\Graphing\Chart;
use Icinga\Module\Graphite\Graphing\GraphiteWebClient;
use Icinga\Module\Graphite\Graphing\Templates;
use Icinga\Module\Graphite\Web\FakeSchemeRequest;
use Icinga\Module\Graphite\Web\Widget\GraphImage;
use Icinga\Web\Url;

try {
    list(, $ini, $checkCommand, $name, $graphiteUrl, $out, $from, $width, $height)
        = array_slice($argv, 0, 9);
    $metrics = [];
    foreach (array_slice($argv, 9) as $pair) {
        list($curve, $metric) = explode('=', $pair, 2);
        $metrics[$curve] = $metric;
    }

    // Icinga Web 2's bootstrap for embedding (its configuration, the enabled modules: graphite
    // is enabled in ICINGAWEB_CONFIGDIR); not the CLI one, where Url::fromPath() refuses.
    $app = EmbeddedWeb::start('/usr/share/icingaweb2');

    // As GraphingTrait::getAllTemplates() loads them: the module's, then the site's folder
    // (INI's), then the graphs for the check command.
    $templates = (new Templates())
        ->loadDir($app->getModuleManager()->getModule('graphite')->getBaseDir() . '/templates')
        ->loadDir(dirname($ini))
        ->getTemplates($checkCommand);
    ksort($templates);
    echo "templates for $checkCommand: " . implode(' ', array_keys($templates)) . "\n";
    if (! isset($templates[$name])) {
        throw new RuntimeException("no template $name for $checkCommand");
    }
    $client = new GraphiteWebClient(Url::fromPath($graphiteUrl, [], new FakeSchemeRequest()));
    $chart = (new Chart($client, $templates[$name], $metrics))
        ->setFrom((string) $from)
        ->setUntil('')
        ->setWidth((int) $width)
        ->setHeight((int) $height)
        ->setBackgroundColor('white')
        ->setForegroundColor('black')
        ->setMajorGridLineColor('0000003F')
        ->setMinorGridLineColor('white')
        ->setShowLegend(true);
    $png = (new GraphImage($chart))->render();
    if (file_put_contents($out, $png) === false) {
        throw new RuntimeException("cannot write $out");
    }
    exit(0);
} catch (Throwable $e) {
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}
