"""Analytics page (PRODUCT §4.10): plays per day / week / month as bars and listening
hours as a line over the period (labelled axes), the period's totals, and the top genres,
artists and albums by plays or listening time; an empty state when nothing was played."""

from __future__ import annotations

import datetime as dt
import math

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.presenters._live import zone_of
from kleio_desktop.ui.presenters.analytics import (
    DEFAULT_GROUPING,
    DISTRIBUTIONS,
    GROUPINGS,
    MEASURES,
    PERIODS,
    TOPS,
    AnalyticsPresenter,
    Listening,
    bucket_label,
    duration_text,
    hours,
)
from kleio_desktop.ui.views._palette import (
    ACCENT,
    SPACE,
    is_dark,
    muted,
    styled,
)
from kleio_desktop.ui.views._widgets import (
    Choice,
    StateStack,
    ThemedPage,
    labelled,
    page_header,
    page_layout,
    title_font,
)
from shared.domain.analytics import Bucket, DistributionBy, Grouping, LabelledShare, Measure, Period

LINE_COLOUR = "#2f7fb5"
FILTER_DEBOUNCE_MS = 300
MAX_LABELS = 7
LABEL_CHARS = 26


def _card(page: QWidget, name: str) -> QFrame:
    frame = QFrame()
    frame.setObjectName(name)
    styled(frame, "card")
    return frame


class Tile(QFrame):
    """One figure: a big number with its caption."""

    def __init__(self, page: QWidget, caption: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        styled(self, "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE[3], SPACE[2], SPACE[3], SPACE[2])
        layout.setSpacing(0)
        self.caption = QLabel(caption.upper())
        styled(self.caption, "muted", "font-weight: 600; letter-spacing: 1px;")
        self.value = QLabel("–")
        self.value.setFont(title_font(self.font(), 1.7))
        layout.addWidget(self.caption)
        layout.addWidget(self.value)


def _chart(page: QWidget, title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(page.font())
    font.setWeight(QFont.Weight.DemiBold)
    chart.setTitleFont(font)
    chart.setTitleBrush(QBrush(page.palette().windowText().color()))
    chart.setBackgroundVisible(False)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setVisible(False)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setStyleSheet("background: transparent;")
    return chart, view


def _style_axis(
    page: QWidget, axis: QBarCategoryAxis | QValueAxis | QCategoryAxis, title: str = ""
) -> None:
    text = QColor(page.palette().windowText().color())
    axis.setLabelsBrush(QBrush(text))
    font = QFont(page.font())
    font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
    axis.setLabelsFont(font)
    grid = QColor("#3a3d44" if is_dark(page) else "#e6e7eb")
    axis.setGridLineColor(grid)
    axis.setLinePen(QPen(grid))
    if title:
        axis.setTitleText(title)
        axis.setTitleBrush(QBrush(QColor(muted(page))))
        axis.setTitleFont(font)


def time_labels(buckets: list[Bucket], grouping: Grouping) -> list[tuple[int, str]]:
    """(bucket index, label) of the buckets labelled on the time axis: every k-th, so at
    most MAX_LABELS are, with the year when the period spans more than one."""
    every = max(1, math.ceil(len(buckets) / MAX_LABELS))
    years = {b.start.year for b in buckets}
    return [
        (n, bucket_label(b.start, grouping, with_year=len(years) > 1))
        for n, b in enumerate(buckets)
        if n % every == 0
    ]


TICKS = 4  # intervals on a value axis


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


class AnalyticsPage(ThemedPage):
    def __init__(self, ctx: UiContext, presenter: AnalyticsPresenter | None = None) -> None:
        super().__init__()
        self.setObjectName("analyticsPage")
        self.presenter = presenter or AnalyticsPresenter(
            ctx.desktop.store, ctx.bridge, ctx.errors, zone_of(ctx), parent=self
        )
        layout = page_layout(self)
        header, self.summary = page_header(self, "Analytics")
        self.period: Choice[Period] = Choice(PERIODS, self.presenter.period)
        self.grouping: Choice[Grouping] = Choice(GROUPINGS, self.presenter.grouping)
        self.measure: Choice[Measure] = Choice(MEASURES, self.presenter.measure)
        self.top: Choice[int] = Choice(TOPS, self.presenter.top)
        for combo in (self.period, self.grouping, self.measure, self.top):
            header.addWidget(combo)
        layout.addLayout(header)

        filters = QHBoxLayout()
        filters.setSpacing(SPACE[2])
        self.artist = QLineEdit()
        self.artist.setPlaceholderText("Any artist")
        self.artist.setClearButtonEnabled(True)
        self.genre = QLineEdit()
        self.genre.setPlaceholderText("Any genre")
        self.genre.setClearButtonEnabled(True)
        filters.addWidget(labelled("Artist", self.artist), 2)
        filters.addWidget(labelled("Genre", self.genre), 2)
        self.custom = QWidget()
        custom = QHBoxLayout(self.custom)
        custom.setContentsMargins(0, 0, 0, 0)
        custom.setSpacing(SPACE[1])
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-89))
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        custom.addWidget(labelled("From", self.start))
        custom.addWidget(labelled("to", self.end))
        self.custom.setVisible(False)
        filters.addWidget(self.custom)
        filters.addStretch(1)
        layout.addLayout(filters)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self._filters_changed)
        self.artist.textChanged.connect(lambda _t: self._filter_timer.start())
        self.genre.textChanged.connect(lambda _t: self._filter_timer.start())
        self.start.dateChanged.connect(lambda _d: self._custom_changed())
        self.end.dateChanged.connect(lambda _d: self._custom_changed())

        body = QWidget()
        grid = QVBoxLayout(body)
        grid.setContentsMargins(0, 0, SPACE[1], 0)
        grid.setSpacing(SPACE[3])
        tiles = QHBoxLayout()
        tiles.setSpacing(SPACE[2])
        self.plays_tile = Tile(self, "Plays")
        self.time_tile = Tile(self, "Listening time")
        self.average_tile = Tile(self, "Per day")
        self.busiest_tile = Tile(self, "Busiest")
        for tile in (self.plays_tile, self.time_tile, self.average_tile, self.busiest_tile):
            tiles.addWidget(tile)
        grid.addLayout(tiles)

        self.plays_chart, plays_view = _chart(self, "Plays over time")
        self.hours_chart, hours_view = _chart(self, "Listening time over time")
        over_time = QHBoxLayout()
        over_time.setSpacing(SPACE[2])
        for view in (plays_view, hours_view):
            card = _card(self, "chartCard")
            inner = QVBoxLayout(card)
            inner.setContentsMargins(SPACE[1], SPACE[1], SPACE[1], SPACE[1])
            inner.addWidget(view)
            view.setMinimumHeight(250)
            over_time.addWidget(card)
        grid.addLayout(over_time)

        tops = QGridLayout()
        tops.setSpacing(SPACE[2])
        self.top_charts: dict[DistributionBy, QChart] = {}
        for column, (by, title) in enumerate(DISTRIBUTIONS):
            chart, view = _chart(self, title)
            view.setMinimumHeight(380)
            card = _card(self, "chartCard")
            inner = QVBoxLayout(card)
            inner.setContentsMargins(SPACE[1], SPACE[1], SPACE[1], SPACE[1])
            inner.addWidget(view)
            tops.addWidget(card, 0, column)
            self.top_charts[by] = chart
        grid.addLayout(tops)
        grid.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.stack = StateStack(scroll)
        layout.addWidget(self.stack, 1)

        self.period.currentIndexChanged.connect(lambda _i: self._period_chosen())
        self.grouping.currentIndexChanged.connect(
            lambda _i: self._spawn_if(
                self.grouping.value() != self.presenter.grouping,
                lambda: self.presenter.set_grouping(self.grouping.value()),
            )
        )
        self.measure.currentIndexChanged.connect(
            lambda _i: self.presenter.spawn(self.presenter.set_measure(self.measure.value()))
        )
        self.top.currentIndexChanged.connect(
            lambda _i: self.presenter.spawn(self.presenter.set_top(self.top.value()))
        )
        self.presenter.loaded.connect(self._show)
        self.presenter.failed.connect(
            lambda text: self.stack.show_error(
                text, lambda: self.presenter.spawn(self.presenter.reload())
            )
        )
        self._activated = False

    def activate(self) -> None:
        """Query on first show; after that, when the data (or the day) changed."""
        if not self._activated:
            self._activated = True
            self.presenter.spawn(self.presenter.reload())
        else:
            self.presenter.spawn(self.presenter.catch_up())

    def palette_changed(self) -> None:
        text = QBrush(self.palette().windowText().color())
        for chart in (self.plays_chart, self.hours_chart, *self.top_charts.values()):
            chart.setTitleBrush(text)
        if self.presenter.listening is not None and self.stack.showing == "content":
            self._show(self.presenter.listening)

    def _spawn_if(self, condition: bool, work: object) -> None:
        if condition and callable(work):
            self.presenter.spawn(work())

    def _period_chosen(self) -> None:
        period = self.period.value()
        self.custom.setVisible(period == "custom")
        if period == "custom":
            self.presenter.grouping = DEFAULT_GROUPING["custom"]
            self._custom_changed()
        else:
            self.presenter.spawn(self.presenter.set_period(period))
        self.grouping.blockSignals(True)
        self.grouping.set_value(DEFAULT_GROUPING[period])
        self.grouping.blockSignals(False)

    def _custom_changed(self) -> None:
        if self.period.value() == "custom":
            start, end = self.start.date().toPython(), self.end.date().toPython()
            assert isinstance(start, dt.date) and isinstance(end, dt.date)
            self.presenter.spawn(self.presenter.set_custom(start, end))

    def _filters_changed(self) -> None:
        self.presenter.spawn(self.presenter.set_filters(self.artist.text(), self.genre.text()))

    def _show(self, listening: Listening) -> None:
        found = listening.series
        totals = found.series
        self.summary.setText(
            f"{found.first.day} {found.first:%b %Y} – {found.last.day} {found.last:%b %Y}"
        )
        if listening.empty:
            self._show_empty()
            return
        days = (found.last - found.first).days + 1
        self.plays_tile.value.setText(f"{totals.total_plays:,}")
        self.time_tile.value.setText(duration_text(totals.total_seconds))
        self.average_tile.value.setText(f"{totals.total_plays / days:.1f} plays")
        busiest = max(totals.buckets, key=lambda b: (b.plays, b.start))
        unit = {"day": "", "week": "week of ", "month": ""}[self.presenter.grouping]
        self.busiest_tile.value.setText(
            f"{unit}{bucket_label(busiest.start, self.presenter.grouping, with_year=False)}"
        )
        self.busiest_tile.setToolTip(f"{busiest.plays} plays")
        self._draw_over_time(totals.buckets)
        for by, chart in self.top_charts.items():
            self._draw_top(chart, listening.shares[by])
        self.stack.show_content()

    def _show_empty(self) -> None:
        presenter = self.presenter
        if presenter.artist.strip() or presenter.genre.strip():
            self.stack.show_empty(
                "No plays match",
                "No play in this period is of a record with this artist or genre.",
                ("Clear the filters", self._clear_filters),
            )
        elif presenter.period == "all":
            self.stack.show_empty(
                "No plays yet",
                "Log a play from the Log page and your listening shows up here.",
            )
        else:
            self.stack.show_empty(
                "No plays in this period",
                "Nothing was played in this period; try a longer one.",
                ("Show all time", lambda: self.period.set_value("all")),
            )

    def _clear_filters(self) -> None:
        self.artist.clear()
        self.genre.clear()

    def _draw_over_time(self, buckets: list[Bucket]) -> None:
        labels = time_labels(buckets, self.presenter.grouping)
        unit = {"day": "per day", "week": "per week", "month": "per month"}[self.presenter.grouping]
        chart = self.plays_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars = QBarSet("Plays")
        bars.setColor(QColor(ACCENT))
        bars.setBorderColor(QColor(ACCENT))
        bars.append([float(b.plays) for b in buckets])
        series = QBarSeries()
        series.setBarWidth(0.75)
        series.append(bars)
        chart.addSeries(series)
        self._axes(
            chart, series, labels, len(buckets), max(b.plays for b in buckets), f"plays {unit}"
        )

        chart = self.hours_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        line = QLineSeries()
        line.setName("Hours")
        pen = QPen(QColor(LINE_COLOUR))
        pen.setWidthF(2.2)
        line.setPen(pen)
        line.setPointsVisible(len(buckets) <= 40)
        for n, bucket in enumerate(buckets):
            line.append(float(n), hours(bucket.seconds))
        chart.addSeries(line)
        highest = max(hours(b.seconds) for b in buckets)
        self._axes(chart, line, labels, len(buckets), highest, f"hours {unit}")

    def _axes(
        self,
        chart: QChart,
        series: QBarSeries | QLineSeries,
        labels: list[tuple[int, str]],
        count: int,
        highest: float,
        title: str,
    ) -> None:
        x = QCategoryAxis()
        x.setRange(-0.5, count - 0.5)
        x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        for n, label in labels:
            x.append(label, float(n))
        x.setGridLineVisible(False)
        _style_axis(self, x)
        y = QValueAxis()
        y.setRange(0, max(highest, 1.0))
        y.setTickCount(TICKS + 1)
        y.applyNiceNumbers()
        step = (y.max() - y.min()) / max(y.tickCount() - 1, 1)
        y.setLabelFormat("%.0f" if step >= 1 else "%.1f")
        _style_axis(self, y, title)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)

    def _draw_top(self, chart: QChart, shares: list[LabelledShare]) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        by_time = self.presenter.measure == "seconds"
        values = [hours(s.seconds) if by_time else float(s.plays) for s in shares]
        ordered = list(reversed(list(zip(shares, values, strict=True))))  # biggest on top
        bars = QBarSet("Hours" if by_time else "Plays")
        bars.setColor(QColor(ACCENT))
        bars.setBorderColor(QColor(ACCENT))
        bars.append([v for _, v in ordered])
        series = QHorizontalBarSeries()
        series.setBarWidth(0.7)
        series.append(bars)
        chart.addSeries(series)
        y = QBarCategoryAxis()
        seen: set[str] = set()
        labels = []
        for share, _ in ordered:
            label = _short(share.label)
            while label in seen:
                label += "\u200b"
            seen.add(label)
            labels.append(label)
        y.append(labels)
        y.setGridLineVisible(False)
        _style_axis(self, y)
        x = QValueAxis()
        x.setRange(0, max(max(values, default=0), 1.0))
        x.setTickCount(TICKS + 1)
        x.applyNiceNumbers()
        step = (x.max() - x.min()) / max(x.tickCount() - 1, 1)
        x.setLabelFormat("%.0f" if step >= 1 else "%.1f")
        _style_axis(self, x, "hours" if by_time else "plays")
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(y)
        series.attachAxis(x)


def create_page(ctx: UiContext) -> QWidget:
    return AnalyticsPage(ctx)
