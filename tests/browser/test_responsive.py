"""Every page of the four demo users fits a 390 px phone, a 900 px tablet and a 1280 px screen, in Chinese and English.

Each user signs in once; for each language each page is loaded at 390 px and checked, then widened to 900 px and
to 1280 px and checked again. A page fails when the document scrolls sideways or when any visible element reaches
past the right edge of the window (content inside a box that clips it, such as a map, is measured at the box's
edge; a table that only fits by scrolling inside its wrapper fails too, since below 992 px it is shown as cards).
"""
from __future__ import annotations

import pytest

from .conftest import sign_in

PHONE, SCREEN = 390, 1280
TABS = 4  # pages loading side by side
TABLET = 900  # checked too (without reloading): the navigation is collapsed there and tables are cards

# The elements reaching past the window's right edge, as short descriptions; the document's scroll width first.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const found = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > width) found.push(`document scrolls sideways: ${doc.scrollWidth} > ${width}`);
  const clipRight = (el) => {
    let right = Infinity;
    for (let a = el.parentElement; a && a !== doc; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow === 'hidden' || overflow === 'clip') right = Math.min(right, a.getBoundingClientRect().right);
    }
    return right;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed') continue;
    const right = Math.min(box.right, clipRight(el));
    if (right > width + 1) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className
          ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
      found.push(`${name} right=${Math.round(right)} "${(el.innerText || '').trim().slice(0, 30)}"`);
      if (found.length > 8) break;
    }
  }
  return found;
}"""

# Whether the navigation shows its toggler and hides its links (phone), and on how many rows its links sit.
NAV_JS = """() => {
  const toggler = document.querySelector('#site-nav .navbar-toggler');
  const menu = document.querySelector('#site-nav-menu');
  const tops = new Set([...document.querySelectorAll('#site-nav-menu .nav-link')]
    .filter(a => a.getBoundingClientRect().height > 0)
    .map(a => Math.round(a.getBoundingClientRect().top)));
  return {toggler: !!toggler && toggler.offsetParent !== null, menu: !!menu && menu.offsetHeight > 0, rows: tops.size};
}"""


def _pages(app) -> dict[str, list[str]]:
    """The pages each demo user walks, with ids from the demo database; an enquiry and a notification are added."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Enquiry, Link, Listing, MatchRun, Notification, Organisation, Site, User
    from marketplace.services.enquiries import reply_to_enquiry, start_enquiry

    with app.app_context():
        users = {user.email.split("@")[0]: user for user in db.session.scalars(select(User))
                 if user.email.endswith("@demo.local")}

        def own(user, kind):
            return db.session.scalar(select(Listing).join(Site).where(
                Site.organisation_id == user.organisation_id, Listing.kind == kind).order_by(Listing.id))

        plant, recycler, park_user, admin = (users[n] for n in ("plant", "recycler", "park", "admin"))
        offer = own(plant, "offer")
        thread = db.session.scalar(select(Enquiry).where(Enquiry.listing_id == offer.id,
                                                         Enquiry.organisation_id == recycler.organisation_id))
        if thread is None:  # the recycler asks about the plant's offer; the plant answers
            thread = start_enquiry(offer, user=recycler, body="请问每月可供多少吨？ How much a month?")
            reply_to_enquiry(thread, user=plant, body="每月约一万吨。")
        if not db.session.scalar(select(Notification.id).where(Notification.user_id == recycler.id)):
            db.session.add(Notification(user_id=recycler.id, kind="saved_search_match", listing_id=offer.id,
                                        message="粉煤灰 / Coal fly ash, 12.3 km"))
            db.session.commit()
        plant_link = db.session.scalar(select(Link).join(Site, Link.supplier_site_id == Site.id)
                                       .where(Site.organisation_id == plant.organisation_id).order_by(Link.id))
        park = park_user.managed_parks[0]
        park_link = db.session.scalar(select(Link).join(Site, Link.supplier_site_id == Site.id)
                                      .where(Site.park_id.in_([p.id for p in park_user.managed_parks]))
                                      .order_by(Link.id))
        run = db.session.scalar(select(MatchRun).order_by(MatchRun.id.desc()))
        org = db.session.scalar(select(Organisation).where(Organisation.id != admin.organisation_id)
                                .order_by(Organisation.id))

        def site_of(user):
            return db.session.scalar(select(Site.id).where(Site.organisation_id == user.organisation_id)
                                     .order_by(Site.id))

        park_site = db.session.scalar(select(Site.id).where(Site.park_id == park.id).order_by(Site.id))

        def search(user, radius=150):
            return f"/search/offers?site={site_of(user)}&radius_km={radius}"

        # Pages that look alike for everyone are walked once (by the plant); each user walks its own pages and the
        # home page, whose navigation is its own.
        common = ["/parks/", f"/parks/{park.id}", "/materials/", "/materials/coal-fly-ash", "/search/notifications",
                  "/search/saved"]
        member = ["/listings/mine", "/listings/enquiries", f"/listings/enquiries/{thread.id}", "/links/", "/org"]
        return {
            "plant@demo.local": ["/"] + common + member + [
                "/listings/new/offer", search(plant), f"/listings/{offer.id}", f"/links/{plant_link.id}",
                f"/sites/{site_of(plant)}", "/listings/import"],
            "recycler@demo.local": ["/"] + member + [
                search(recycler, 300), f"/listings/{own(recycler, 'want').id}", f"/listings/{offer.id}",
                f"/sites/{site_of(recycler)}", "/search/notifications"],
            "park@demo.local": [
                "/", "/links/", f"/links/{park_link.id}", "/links/runs", f"/links/runs/{run.id}", "/parks/?mine=1",
                f"/parks/{park.id}", f"/parks/{park.id}/map", f"/parks/{park.id}/indicators",
                f"/parks/{park.id}/report", "/network/map", "/network/indicators", "/network/report",
                f"/search/offers?site={park_site}&radius_km=150"],
            "admin@demo.local": [
                "/", "/admin/", "/admin/users", "/admin/users/new", f"/admin/users/{plant.id}", f"/admin/orgs/{org.id}",
                "/admin/knowledge", "/admin/parks/import", "/admin/classification/", "/sites/to-confirm",
                f"/links/runs/{run.id}", f"/links/{plant_link.id}",
                "/search/offers?lon=118.38&lat=31.33&radius_km=200"],
        }


@pytest.fixture(scope="module")
def pages(live_app):
    return _pages(live_app.app)


def _check(page, language: str, path: str, response) -> list[str]:
    """The page as loaded at phone width, then widened to a tablet and a screen without reloading."""
    if response is None or not response.ok:
        return [f"{language} {path}: answered {response and response.status}"]
    problems = [f"{language} {PHONE}px {path}: {found}" for found in page.evaluate(OVERFLOW_JS)]
    nav = page.evaluate(NAV_JS)
    if not nav["toggler"] or nav["menu"]:
        problems.append(f"{language} {PHONE}px {path}: the navigation does not collapse ({nav})")
    page.set_viewport_size({"width": TABLET, "height": 900})
    problems += [f"{language} {TABLET}px {path}: {found}" for found in page.evaluate(OVERFLOW_JS)]
    page.set_viewport_size({"width": SCREEN, "height": 900})
    problems += [f"{language} {SCREEN}px {path}: {found}" for found in page.evaluate(OVERFLOW_JS)]
    nav = page.evaluate(NAV_JS)
    if nav["toggler"] or nav["rows"] != 1:
        problems.append(f"{language} {SCREEN}px {path}: the navigation is not one row of links ({nav})")
    return problems


@pytest.mark.parametrize("email", ["plant@demo.local", "recycler@demo.local", "park@demo.local", "admin@demo.local"])
def test_every_page_fits_a_phone_a_tablet_and_a_screen_in_both_languages(signed_in, pages, email):
    context = signed_in(email)
    tabs = [context.new_page() for _ in range(TABS)]
    problems = []
    try:
        for language in ("zh", "en"):
            tabs[0].goto(f"/lang/{language}")
            paths = pages[email]
            for first in range(0, len(paths), TABS):  # a few pages load side by side, each in its own tab
                loading = []
                for tab, path in zip(tabs, paths[first:first + TABS]):
                    tab.set_viewport_size({"width": PHONE, "height": 800})
                    loading.append((tab, path, tab.goto(path, wait_until="commit")))
                for tab, path, response in loading:
                    tab.wait_for_load_state("load")
                    problems += _check(tab, language, path, response)
    finally:
        for tab in tabs:
            tab.close()
    assert not problems, f"{email}:\n" + "\n".join(problems)


def test_the_phone_menu_opens_and_leads_to_a_page(page, live_app):
    sign_in(page, "recycler@demo.local")
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto("/lang/en")
    page.goto("/")
    assert not page.is_visible("#site-nav-menu")
    page.click("#site-nav .navbar-toggler")
    page.wait_for_selector("#site-nav-menu.show")
    page.click("#site-nav-menu >> text=Find supply")
    page.wait_for_url("**/search/offers")


def test_unread_badges_show_and_clear_when_read(page, live_app, pages):
    """The plant answers the recycler's enquiry and a notice arrives: the recycler's badges count them until it
    opens the thread and the notice."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Enquiry, Notification, User
    from marketplace.services.enquiries import reply_to_enquiry

    with live_app.app.app_context():
        plant = db.session.scalar(select(User).where(User.email == "plant@demo.local"))
        recycler = db.session.scalar(select(User).where(User.email == "recycler@demo.local"))
        thread = db.session.scalar(select(Enquiry).where(Enquiry.organisation_id == recycler.organisation_id))
        reply_to_enquiry(thread, user=plant, body="另：可提供检测报告。")
        notice = db.session.scalar(select(Notification).where(Notification.user_id == recycler.id))
        notice.read_at = None
        db.session.commit()
        thread_id, notice_id = thread.id, notice.id

    sign_in(page, "recycler@demo.local")
    page.set_viewport_size({"width": PHONE, "height": 800})  # the badges stay in sight beside the toggler
    page.goto("/")
    assert page.inner_text("#nav-unread-enquiries").strip() == "1"
    assert page.inner_text("#nav-unread-notifications").strip() == "1"
    page.click("#nav-enquiries")
    page.click(f"#thread-table tr[data-enquiry='{thread_id}'] a")
    page.wait_for_selector("#thread-messages")
    assert not page.is_visible("#nav-unread-enquiries")
    page.click("#nav-notifications")
    page.click(f"[data-notification='{notice_id}'] .open-notification button")
    page.wait_for_url("**/listings/*")
    assert not page.is_visible("#nav-unread-notifications")


def test_the_longest_navigation_fits_one_row_from_its_breakpoint(page, live_app):
    """An English administrator has the most links: at 1200 px, where the bar stops collapsing, they fit one row."""
    sign_in(page, "admin@demo.local")
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto("/lang/en")
    page.goto("/")
    assert page.evaluate(NAV_JS) == {"toggler": False, "menu": True, "rows": 1}
    assert page.evaluate(OVERFLOW_JS) == []
