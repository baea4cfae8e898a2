"""The impact dashboard and the monthly report in real headless Chromium (Debian's chromium, driven by Playwright),
against `rtcc demo` with crime data imported here.

Checks: crime data imports over the API (a CSV with a bad row imports nothing and names the line); the dashboard's
homicides this year equal a count made here from the incident list; the cards show the API's figures; the homicide
chart has a bar per published year plus this year, the record year in red; the alert chart's bars add up to the alert
total; every card's CSV downloads and agrees; the monthly report renders as HTML and as PDF (pdftoppm makes pages),
from the API and from `rtcc report`; a reversed range is explained on the page. Screenshots go to OUTDIR.
Usage: browser_dashboard_tests.py RTCC OUTDIR
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Client, check, demo_server, summary, wait_for  # noqa: E402

RTCC = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "browser-dashboard-test-output")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="rtcc-dashboard-")
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")


def post_csv(client, path, text):
    request = urllib.request.Request(client.base + path, data=text.encode(), method="POST")
    request.add_header("Content-Type", "text/csv")
    request.add_header("Cookie", client.cookie)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def get_raw(client, path):
    status, body, headers = client.call("GET", path, raw=True)
    return status, body, headers


def main():
    data = os.path.join(WORK, "demo")
    try:
        with demo_server(RTCC, data, os.path.join(OUT, "server.log"), CHROMIUM) as (browser, base, password):
            run(browser, base, Client(base).login("admin", password), password, data)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    print(summary())
    sys.exit(1 if "0 failed" not in summary() else 0)


def run(browser, base, client, password, data):
    now = time.time()
    year = time.gmtime(now).tm_year
    month = time.strftime("%Y-%m", time.gmtime(now))
    # Crime data: three homicides and a robbery earlier this year; a bad row first, which must import nothing.
    days = [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - d * 86400)) for d in (3, 20, 40, 41)]
    good = ["occurred_at,offense,latitude,longitude,case_number,weapon_recovered",
            f"{days[0]},09A,32.51,-93.75,T-1,true", f"{days[1]},09A,32.50,-93.76,T-2,false", f"{days[2]},09A,32.49,-93.77,T-3,false",
            f"{days[3]},120,32.49,-93.77,T-4,true"]
    bad = good[:2] + [f"{days[1]},nonsense,32.50,-93.76,T-9,false"]
    status, body = post_csv(client, "/api/v1/incidents/import", "\n".join(bad))
    fields = [e["field"] for e in body.get("errors", [])] if status == 422 else []
    check(fields == ["line 3: offense"], f"a CSV with a bad row is refused naming the line ({fields})")
    status, body = post_csv(client, "/api/v1/incidents/import", "\n".join(good))
    check(status == 201 and body["added"] == 4, f"crime data imports ({body})")
    status, body = post_csv(client, "/api/v1/weapons/import", "recovered_at,weapon_type,case_number,rtcc_assisted\n"
                            f"{days[0]},handgun,T-1,true\n{days[3]},rifle,T-4,false\n")
    check(status == 201, "the weapons-recovered log imports")

    # Independent count: homicides this year from the incident list.
    start = f"{year}-01-01T00:00:00Z"
    until_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 60))
    homicides, offset = 0, 0
    while True:
        status, page, _ = client.call("GET", f"/api/v1/incidents?from={start}&until={until_iso}&limit=500&offset={offset}")
        homicides += sum(1 for i in page["items"] if i["category"] == "homicide")
        offset += len(page["items"])
        if offset >= page["total"] or not page["items"]:
            break
    status, dashboard, _ = client.call("GET", "/api/v1/dashboard")
    check(status == 200 and dashboard["homicides"]["yearToDate"] == homicides,
          f"homicides this year match a count of the incident list ({homicides})")
    record = dashboard["homicides"]["record"]
    check(record and record["year"] == 1993 and record["count"] == 86, f"the record year is the published 1993 total ({record})")

    page = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/")
    page.fill("#signin-user", "admin")
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    page.wait_for_selector("#whoami")
    page.goto(base + "/dashboard")
    ready = wait_for(lambda: page.eval_on_selector("#dashboard", "d => d.dataset.ready") == "1", 60, "the dashboard")
    check(ready, "the dashboard loads")
    value = lambda card: page.eval_on_selector(f"#{card} .big", "b => b.dataset.value")
    d = dashboard
    check(value("card-homicides") == str(d["homicides"]["yearToDate"]) and value("card-weapons") == str(d["weapons"]["recovered"])
          and value("card-alerts") == str(d["alerts"]["total"]) and value("card-cameras") == f"{d['network']['online']}/{d['network']['cameras']}"
          and value("card-partners") == str(d["network"]["partners"]) and value("card-requests") == str(d["footageRequests"]["made"]),
          f"the cards show the API's figures (homicides {value('card-homicides')}, weapons {value('card-weapons')})")
    bars = page.eval_on_selector_all("#chart-homicides rect.bar", "r => r.map(x => [x.dataset.label, Number(x.dataset.value), x.getAttribute('fill')])")
    years = d["homicides"]["fullYears"][-12:]
    check(len(bars) == len([y for y in years if y["count"] > 0]) + (1 if d["homicides"]["yearToDate"] else 0)
          and any(b[0] == "1993" and b[2] == "#ef4444" for b in bars) and bars[-1][1] == d["homicides"]["yearToDate"],
          f"the homicide chart has each year and this year, the record in red ({len(bars)} bars)")
    alert_sum = page.eval_on_selector_all("#chart-alerts rect.bar", "r => r.reduce((s, x) => s + Number(x.dataset.value), 0)")
    check(alert_sum == d["alerts"]["total"], f"the alert chart's bars add up to the alert total ({alert_sum})")
    trend = page.eval_on_selector_all("#chart-trend rect.bar[data-series=current]", "r => r.map(x => Number(x.dataset.value))")
    check(trend == [m["violent"] for m in d["trend"]], f"the trend chart draws the API's months ({len(trend)})")
    page.screenshot(path=os.path.join(OUT, "dashboard.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#card-homicides a.csv")
    with open(download.value.path()) as handle:
        rows = list(csv.DictReader(handle))
    this_year = [r for r in rows if r["year"] == str(year)]
    check(this_year and this_year[-1]["to_date"] == str(d["homicides"]["yearToDate"]) and any(r["year"] == "1993" and r["full_year"] == "86" for r in rows),
          f"the homicide table downloads as CSV and agrees ({len(rows)} rows)")
    csvs = {}
    for table in ("alerts", "cameras", "coverage", "evidence", "weapons", "trend", "requests"):
        status, body, headers = get_raw(client, f"/api/v1/dashboard/{table}.csv")
        csvs[table] = list(csv.reader(io.StringIO(body.decode()))) if status == 200 else None
    check(all(csvs.values()) and csvs["weapons"][-1] == ["total", str(d["weapons"]["recovered"])]
          and sum(int(r[1]) for r in csvs["alerts"][1:]) == d["alerts"]["total"],
          "every table behind the charts downloads as CSV and agrees")

    # The monthly report: HTML and PDF from the API, and PDF from the CLI.
    status, html, _ = get_raw(client, f"/api/v1/reports/monthly?month={month}")
    check(status == 200 and b"<svg" in html and f"Homicides in {year} to date".encode() in html, "the monthly report renders as HTML with charts")
    status, pdf, headers = get_raw(client, f"/api/v1/reports/monthly?month={month}&format=pdf")
    pdf_path = os.path.join(OUT, f"report-{month}.pdf")
    with open(pdf_path, "wb") as handle:
        handle.write(pdf if status == 200 else b"")
    pages = subprocess.run(["pdftoppm", "-r", "50", "-png", pdf_path, os.path.join(OUT, "report-page")], capture_output=True)
    made = [f for f in os.listdir(OUT) if f.startswith("report-page")]
    check(status == 200 and pdf[:4] == b"%PDF" and pages.returncode == 0 and made, f"the PDF report renders ({len(made)} pages, {len(pdf)} bytes)")
    cli_pdf = os.path.join(OUT, "cli-report.pdf")
    cli = subprocess.run([RTCC, "report", "--data", data, "--month", month, "--out", cli_pdf], capture_output=True, text=True, timeout=180)
    cli_pages = subprocess.run(["pdfinfo", cli_pdf], capture_output=True, text=True) if os.path.exists(cli_pdf) else None
    check(cli.returncode == 0 and cli_pages and cli_pages.returncode == 0 and "Pages:" in cli_pages.stdout,
          f"rtcc report writes the PDF ({cli.stdout.strip() or cli.stderr.strip()})")
    bad = subprocess.run([RTCC, "report", "--data", data, "--month", "2026-13"], capture_output=True, text=True)
    check(bad.returncode != 0 and "YYYY-MM" in bad.stderr, f"rtcc report refuses a bad month ({bad.stderr.strip()[:80]})")

    # A reversed range is explained on the page.
    page.fill("#dash-from", f"{year}-06-01")
    page.fill("#dash-until", f"{year}-02-01")
    page.click("#dash-apply")
    message = wait_for(lambda: page.query_selector("#dash-error") and page.eval_on_selector("#dash-error", "e => e.textContent"), 30, "the error")
    check(message and "after from" in message, f"a reversed range is explained ({message})")
    check(not errors, f"no script errors on the page ({errors[:3]})")


if __name__ == "__main__":
    main()
