/**
 * The part of the browser script that runs the tab bar: the browser's own conversation (the
 * "main" tab, already in the page) and one tab per sub-agent an agent exposed, each with a panel
 * holding its own message list. It follows the WAI-ARIA tabs pattern: one tab selected and in the
 * Tab order, Left/Right/Home/End move between tabs. Spliced into the script's closure (see
 * script.ts), so it must stay plain browser JavaScript without backticks.
 */
export const TABS_SCRIPT = String.raw`
  /**
   * main: { key: "main", button, panel, list }. onSelect(tab) runs whenever a tab is selected.
   * A sub-agent tab is keyed "sub:" + its id, so no stored id can stand in for the main tab.
   */
  function createTabBar(bar, main, onSelect) {
    const tabs = new Map([[main.key, main]]);
    let selected = main;
    let made = 0;

    function select(tab, focus) {
      selected = tab;
      for (const each of tabs.values()) {
        const on = each === tab;
        each.button.setAttribute("aria-selected", String(on));
        each.button.tabIndex = on ? 0 : -1;
        each.panel.hidden = !on;
      }
      if (focus) tab.button.focus();
      onSelect(tab);
    }

    function wire(tab) {
      tab.button.addEventListener("click", () => select(tab, false));
      tab.button.addEventListener("keydown", (event) => {
        const order = [...tabs.values()];
        const at = order.indexOf(tab);
        const target = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: order.length - 1 }[event.key];
        if (target === undefined) return;
        event.preventDefault();
        select(order[(target + order.length) % order.length], true);
      });
    }

    /** Add a sub-agent's tab after the others; record is { subagent, label, … } and becomes the tab. */
    function add(record) {
      made += 1;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "tab";
      button.id = "tab-sub-" + made;
      button.tabIndex = -1;
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", "false");
      button.setAttribute("aria-controls", "panel-sub-" + made);
      button.dataset.testid = "tab";
      button.dataset.subagentId = record.subagent;
      button.textContent = record.label;

      const panel = document.createElement("div");
      panel.className = "panel";
      panel.id = "panel-sub-" + made;
      panel.hidden = true;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      panel.dataset.tab = record.subagent;
      const list = document.createElement("ol");
      list.className = "messages";
      list.dataset.testid = "messages";
      list.setAttribute("aria-live", "polite");
      panel.append(list);

      [...tabs.values()].at(-1).panel.after(panel);
      bar.append(button);
      bar.hidden = false;
      const tab = Object.assign(record, { key: "sub:" + record.subagent, button, panel, list });
      tabs.set(tab.key, tab);
      wire(tab);
      return tab;
    }

    function remove(tab) {
      if (tab === main || tabs.get(tab.key) !== tab) return;
      tabs.delete(tab.key);
      tab.button.remove();
      tab.panel.remove();
      bar.hidden = tabs.size === 1;
      if (selected === tab) select(main, false);
    }

    wire(main);
    return {
      main,
      add,
      remove,
      find: (subagent) => tabs.get("sub:" + subagent),
      all: () => [...tabs.values()],
      selected: () => selected,
    };
  }
`;
