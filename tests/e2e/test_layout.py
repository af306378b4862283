"""Page layout in a real browser, where CSS decides it."""
import pytest

pytestmark = pytest.mark.e2e


def test_the_top_bar_takes_at_most_two_lines_at_1280px(admin_page):
    # The admin has the longest navigation; the roster, roll-call and stock pages of other
    # roles are added here so the check holds when they join the bar.
    admin_page.set_viewport_size({"width": 1280, "height": 800})
    admin_page.goto("/")
    rows = admin_page.evaluate("""() => {
      const nav = document.querySelector('.mainnav');
      for (const label of ['Jadwal Piket', 'Apel', 'Stok']) {
        const a = document.createElement('a'); a.href = '#'; a.textContent = label; nav.append(a);
      }
      const line = nav.querySelector('a').getBoundingClientRect().height;
      return document.querySelector('.topbar').getBoundingClientRect().height / line;
    }""")
    assert rows < 3, f"the top bar is {rows:.1f} navigation lines high"
