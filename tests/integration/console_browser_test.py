#!/usr/bin/python3
"""The duty officer's console in a real browser (issue 13).

A real amparod on the fixture Mosquitto and a real SQLite file; events
published with mosquitto_pub as a migration authority would; headless
Chromium driven through chromedriver by Selenium:

  * a wrong token is refused on the login form and nothing is shown;
  * the consulate logs in, sees its alert (and only its own), opens its
    history, switches to English, and acknowledges it with the button;
    the store then holds the ack (via http, by whom) and the alert is
    acknowledged;
  * the duty officer logs in from a link with #token=…, which leaves the
    address bar at once; it sees every agency's alerts and the running
    legal clocks. A screenshot of that page is saved (--screenshot).

No wall-clock assertion: every wait is an explicit condition with a generous
bound. Runs as root in CI, so Chromium gets --no-sandbox.
"""
import argparse
import datetime
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import json

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

CONSULATE = "gt-consulate-tapachula"
WELFARE = "mx-dif-chiapas"
CONSULATE_TOKEN = "consulate-token-0123456789abcdef0123456789"
WELFARE_TOKEN = "welfare-token-0123456789abcdef0123456789ab"
DUTY_TOKEN = "duty-token-0123456789abcdef0123456789abcdef"
WAIT = 60  # seconds; a bound, not an expectation


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok: " + message)


def wait_for(predicate, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    fail("timed out waiting for " + what)


def now_utc(minus_hours=0):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=minus_hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def child_event(event_id, subject_id, nationality, age, facility_type, minus_hours=0):
    return {
        "schema": "amparo.event.v1",
        "event_id": event_id,
        "type": "apprehension",
        "occurred_at": now_utc(minus_hours),
        "authority": {"country": "MX", "agency": "INM"},
        "location": {"country": "MX", "admin1": "MX-CHP", "place": "Tapachula",
                     "facility": {"id": "mx-chp-1", "type": facility_type}},
        "subject": {"id": subject_id, "age": {"years": age, "basis": "declared"}, "sex": "F",
                    "nationalities": [nationality], "accompaniment": "unaccompanied"},
    }


def query(db, sql, *args):
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--amparod", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--broker-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--screenshot", required=True)
    args = ap.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    work = args.work
    port = int(open(os.path.join(args.broker_dir, "port")).read().strip())
    run = "%d-%d" % (os.getpid(), random.randrange(1 << 30))
    db = os.path.join(work, "amparo.db")

    with open(os.path.join(work, "ack-tokens"), "w") as f:
        f.write("%s %s\n%s %s\nduty-officer %s\n" %
                (CONSULATE, CONSULATE_TOKEN, WELFARE, WELFARE_TOKEN, DUTY_TOKEN))
    with open(os.path.join(work, "deployment.key"), "w") as f:
        f.write("test-deployment-key-0123456789abcdef-0123456789\n")
    with open(os.path.join(work, "amparod.yaml"), "w") as f:
        f.write(f"""instance: console-test-{run}
broker:
  uri: tcp://127.0.0.1:{port}
  client_id: amparod-console-{run}
  reconnect_min: 100ms
  reconnect_max: 1s
store:
  path: {db}
ingest:
  receipt_coalesce: 5ms
rules:
  dir: {args.source}/rules
directory:
  dir: {args.source}/config/directory
delivery:
  retry_initial: 100ms
  retry_max: 1s
smtp:
  url: smtp://127.0.0.1:9
  tls: none
  from: amparod-test@amparo.invalid
http:
  listen: 127.0.0.1:0
  ack_tokens_file: {work}/ack-tokens
logging:
  level: info
privacy:
  deployment_key_file: {work}/deployment.key
""")

    log_path = os.path.join(work, "amparod.log")
    log = open(log_path, "w")
    daemon = subprocess.Popen([args.amparod, "--config", os.path.join(work, "amparod.yaml")],
                              stdout=log, stderr=subprocess.STDOUT)
    driver = None
    try:
        def read_log():
            with open(log_path) as f:
                return f.read()

        def ready():
            if daemon.poll() is not None:
                fail("amparod exited:\n" + read_log())
            text = read_log()
            m = re.search(r"http: listening on 127\.0\.0\.1:(\d+)", text)
            return m and "ready: subscribed" in text and int(m.group(1))

        http_port = wait_for(ready, "amparod to be subscribed and listening")
        base = "http://127.0.0.1:%d" % http_port

        # A Guatemalan girl in a border post in Chiapas: her consulate and the
        # DIF of Chiapas are alerted. A Honduran girl in a migration station
        # an hour ago: more alerts and the DIF channelling clock.
        events = [child_event("console-%s-1" % run, "S-%s-1" % run, "GT", 15, "border_post"),
                  child_event("console-%s-2" % run, "S-%s-2" % run, "HN", 12,
                              "migration_station", minus_hours=1)]
        for e in events:
            subprocess.run(["mosquitto_pub", "-p", str(port), "-q", "1", "-t",
                            "rcm/v1/events/MX/INM", "-m", json.dumps(e)], check=True)

        def consulate_alert():
            rows = query(db, "SELECT alert_id, rule_id FROM alerts WHERE agency_id = ? AND "
                         "opening_event_id = ? AND state = 'open'", CONSULATE, events[0]["event_id"])
            return rows and rows[0]
        alert_id, rule_id = wait_for(consulate_alert, "the consulate's alert in the store")
        wait_for(lambda: query(db, "SELECT COUNT(*) FROM alerts WHERE agency_id = ?", WELFARE)[0][0],
                 "the child-welfare alert in the store")
        print("alert %s (%s) for %s" % (alert_id, rule_id, CONSULATE))

        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--window-size=1400,1100", "--lang=es", "--no-first-run",
                  "--no-default-browser-check", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--user-data-dir=" + os.path.join(work, "chromium-profile")]:
            options.add_argument(a)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver",
                                                  log_path=os.path.join(work, "chromedriver.log")),
                                  options=options)
        driver.set_page_load_timeout(WAIT)
        # The page redraws its tables on every refresh: an element seen a
        # moment ago may be gone; look again.
        wait = WebDriverWait(driver, WAIT, ignored_exceptions=[StaleElementReferenceException])

        # The page and its files come with a strict policy, no inline script.
        driver.get(base + "/")
        wait.until(EC.visibility_of_element_located((By.ID, "token")))
        check(driver.find_element(By.CSS_SELECTOR, "label[for=token]").text != "",
              "the token field has a label")

        # Bad case: a token nobody issued is refused; the console stays hidden.
        driver.find_element(By.ID, "token").send_keys("not-a-token-0123456789abcdef0123456789")
        driver.find_element(By.ID, "login-button").click()
        wait.until(lambda d: d.find_element(By.ID, "login-error").text != "")
        error = driver.find_element(By.ID, "login-error").text
        check("Token rechazado" in error or "Token refused" in error,
              "a wrong token is refused on the login form: " + error)
        check(not driver.find_element(By.ID, "console").is_displayed(),
              "the console stays hidden after a refused token")
        check(driver.execute_script("return sessionStorage.getItem('amparo.token')") is None,
              "a refused token is not kept")

        # The consulate logs in with its token, by keyboard (Enter submits).
        field = driver.find_element(By.ID, "token")
        field.clear()
        field.send_keys(CONSULATE_TOKEN + "\n")
        row_css = "#alerts tbody tr[data-alert-id='%s']" % alert_id
        wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, row_css)))
        check(CONSULATE in driver.find_element(By.ID, "who").text,
              "the page says whose token it holds")
        check(CONSULATE_TOKEN not in driver.current_url, "the token is not in the URL")
        check(driver.execute_script("return sessionStorage.getItem('amparo.token')") ==
              CONSULATE_TOKEN, "the token is kept in sessionStorage")
        row = driver.find_element(By.CSS_SELECTOR, row_css)
        check(rule_id in row.text, "the consulate sees its alert's rule " + rule_id)
        check("row-" in row.get_attribute("class") and
              row.find_elements(By.CSS_SELECTOR, ".sev"), "the alert carries its severity colour")
        countdown = row.find_element(By.CSS_SELECTOR, ".countdown").text
        check(re.search(r"\d", countdown) is not None, "the deadline has a countdown: " + countdown)
        agencies = [td.text for td in
                    driver.find_elements(By.CSS_SELECTOR, "#alerts tbody tr td:nth-child(5)")]
        check(agencies and all(a == CONSULATE for a in agencies),
              "the consulate sees only its own alerts: %s" % agencies)
        welfare_ids = [r[0] for r in query(db, "SELECT alert_id FROM alerts WHERE agency_id = ?",
                                           WELFARE)]
        check(not any(driver.find_elements(By.CSS_SELECTOR,
                                           "#alerts tbody tr[data-alert-id='%s']" % w)
                      for w in welfare_ids),
              "none of the %d child-welfare alerts is shown to the consulate" % len(welfare_ids))
        check(driver.find_element(By.ID, "clocks-note").is_displayed(),
              "the running clocks are not listed to a consulate")

        # English, then the alert's history and the acknowledgement.
        Select(driver.find_element(By.ID, "lang")).select_by_value("en")
        wait.until(EC.text_to_be_present_in_element((By.ID, "alerts-title"), "Alerts by deadline"))
        check(driver.execute_script("return document.documentElement.lang") == "en",
              "the page switches to English")
        row = driver.find_element(By.CSS_SELECTOR, row_css)
        row.find_element(By.CSS_SELECTOR, "button.details").click()
        wait.until(EC.visibility_of_element_located((By.ID, "detail")))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#deliveries tbody tr td") and
                   CONSULATE in d.find_element(By.ID, "deliveries").text)
        check(alert_id in driver.find_element(By.ID, "detail-facts").text,
              "the history shows the alert and its deliveries")
        driver.find_element(By.CSS_SELECTOR, row_css + " button.ack-row").click()
        wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "ack-by")
        driver.switch_to.active_element.send_keys("cónsul de guardia")
        driver.find_element(By.ID, "ack-note").send_keys("visiting today")
        driver.find_element(By.ID, "ack-button").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "ack-result"),
                                                    "Acknowledgement stored."))
        print("ok: the console says the acknowledgement is stored")

        acks = query(db, "SELECT agency_id, by, note, via FROM acks WHERE alert_id = ?", alert_id)
        check(acks == [(CONSULATE, "cónsul de guardia", "visiting today", "http")],
              "the store holds the ack made in the browser: %s" % acks)
        state = query(db, "SELECT state FROM alerts WHERE alert_id = ?", alert_id)[0][0]
        check(state == "acknowledged", "the alert is acknowledged in the store")
        wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, row_css)))
        print("ok: the acknowledged alert leaves the list of open alerts")
        Select(driver.find_element(By.ID, "f-state")).select_by_value("acknowledged")
        wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, row_css)))
        print("ok: the state filter shows it among the acknowledged")

        # Log out; the duty officer comes in by a link with the token in the fragment.
        driver.find_element(By.ID, "logout").click()
        wait.until(EC.visibility_of_element_located((By.ID, "token")))
        check(driver.execute_script("return sessionStorage.getItem('amparo.token')") is None,
              "logging out forgets the token")
        driver.get(base + "/#token=" + DUTY_TOKEN)
        wait.until(lambda d: "duty-officer" in d.find_element(By.ID, "who").text)
        check(Select(driver.find_element(By.ID, "f-state")).first_selected_option
              .get_attribute("value") == "open", "a new login starts on the open alerts")
        check(DUTY_TOKEN not in driver.current_url and "#token" not in driver.current_url,
              "the token leaves the address bar: " + driver.current_url)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#alerts tbody tr")) > 1)
        agencies = set(td.text for td in
                       driver.find_elements(By.CSS_SELECTOR, "#alerts tbody tr td:nth-child(5)"))
        check(WELFARE in agencies and len(agencies) > 1,
              "the duty officer sees every agency's alerts: %s" % sorted(agencies))
        running = query(db, "SELECT COUNT(*) FROM clocks WHERE state = 'running'")[0][0]
        check(running > 0, "the store has %d running legal clocks" % running)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#clocks tbody tr .countdown"))
                   == running)
        print("ok: the duty officer sees the %d running legal clocks with countdowns" % running)
        severity = Select(driver.find_element(By.ID, "f-severity"))
        severity.select_by_value("critical")
        wait.until(lambda d: all("sev-critical" in s.get_attribute("class") for s in
                                 d.find_elements(By.CSS_SELECTOR, "#alerts tbody .sev")))
        expected = query(db, "SELECT COUNT(*) FROM alerts WHERE state = 'open' AND "
                         "severity = 'critical'")[0][0]
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR,
                                                 "#alerts tbody tr[data-alert-id]")) == expected)
        print("ok: the severity filter shows the %d critical open alerts" % expected)
        severity.select_by_value("")
        open_alerts = query(db, "SELECT COUNT(*) FROM alerts WHERE state = 'open'")[0][0]
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR,
                                                 "#alerts tbody tr[data-alert-id]")) == open_alerts)
        print("ok: without the filter, all %d open alerts again" % open_alerts)
        # The screenshot for the README: the duty officer's view with one history open.
        first = driver.find_element(By.CSS_SELECTOR, "#alerts tbody tr[data-alert-id] button.details")
        first.click()
        wait.until(EC.visibility_of_element_located((By.ID, "detail")))
        Select(driver.find_element(By.ID, "lang")).select_by_value("es")
        wait.until(EC.text_to_be_present_in_element((By.ID, "alerts-title"), "Alertas por plazo"))
        driver.execute_script("window.scrollTo(0, 0)")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, min(max(height + 160, 900), 3000))
        os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
        check(driver.save_screenshot(args.screenshot), "screenshot saved to " + args.screenshot)
        # No personal data of the child reached the log.
        text = read_log()
        check(not any(e["subject"]["id"] in text for e in events),
              "no subject id in amparod's log")
    except TimeoutException as e:
        if driver is not None:
            driver.save_screenshot(os.path.join(work, "failure.png"))
            print(driver.page_source[:4000], file=sys.stderr)
        fail("browser wait timed out: %s" % e)
    finally:
        if driver is not None:
            driver.quit()
        daemon.terminate()
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()
    print("PASS")


if __name__ == "__main__":
    main()
