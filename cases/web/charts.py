"""Bar charts drawn on the server as SVG: no chart library, no script, readable without either."""
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

BAR_HEIGHT, GAP, LABEL_WIDTH, WIDTH, AXIS_HEIGHT = 22, 6, 230, 640, 20


def bar_chart(table):
    if not table.rows:
        return mark_safe('<p class="muted">No data yet.</p>')
    top = max(value for _, value in table.rows) or 1
    scale = (WIDTH - LABEL_WIDTH - 60) / top
    height = len(table.rows) * (BAR_HEIGHT + GAP) + AXIS_HEIGHT
    bars = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="{}" y="15" text-anchor="end">{}</text>'
        '<rect x="{}" width="{}" height="{}" rx="3"></rect><text x="{}" y="15">{}</text></g>',
        (
            (index * (BAR_HEIGHT + GAP), LABEL_WIDTH - 8, label, LABEL_WIDTH, max(1, round(value * scale)),
             BAR_HEIGHT, LABEL_WIDTH + round(value * scale) + 6, value)
            for index, (label, value) in enumerate(table.rows)
        ),
    )
    # Every bar of a chart is in the table's one unit, named under the bars.
    axis = format_html('<text class="axis" x="{}" y="{}">{}</text>', LABEL_WIDTH, height - 5, table.unit)
    return format_html(
        '<svg class="chart" role="img" aria-label="{}, in {}" viewBox="0 0 {} {}" width="100%">{}{}</svg>',
        table.title, table.unit, WIDTH, height, bars, axis,
    )
