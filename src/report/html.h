/*
 * html - the stored TLS reports as one self-contained HTML page
 * ("daneops report html"): charts drawn as inline SVG, each with the table
 * behind it; no JavaScript, no fetches (a Content-Security-Policy of
 * default-src 'none' says so to the browser), no external fonts.
 *
 * Charts: sessions per day split by result (stacked bars), failed sessions
 * by result type and by receiving MX host, and sessions by policy type
 * (tlsa, sts, no-policy-found).  Every bar carries an SVG <title> with its
 * numbers (shown on hover, read by screen readers) and data-key /
 * data-successful / data-failed attributes; colours are the Okabe-Ito
 * pair blue / vermillion, distinguishable with the common colour-vision
 * deficiencies, and each chart has a legend in words.
 *
 * Text from reports is escaped.  Ownership: html_page returns a new
 * string the caller frees.
 */
#ifndef DANEOPS_REPORT_HTML_H
#define DANEOPS_REPORT_HTML_H

#include <time.h>

#include "report/series.h"

char *html_page(const struct series_set *set, time_t now);

#endif
