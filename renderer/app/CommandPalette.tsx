import { Menu, MenuContent, MenuItem, MenuList, Modal, ModalBody, ModalHeader, SearchInput } from '@patternfly/react-core';
import { type ReactNode, useState } from 'react';

import { useFerry, useFerryStore } from '../store/index.js';
import { type Command, matchCommands } from './commands.js';

/** Ctrl-K / Ctrl-Shift-P: every command by name; Enter runs the highlighted one. */
export function CommandPalette(): ReactNode {
  const open = useFerry((s) => s.paletteOpen);
  const store = useFerryStore();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const matches = matchCommands(query);
  const close = (): void => {
    store.getState().setPaletteOpen(false);
    setQuery('');
    setActive(0);
  };
  const run = (command: Command | undefined): void => {
    if (!command) return;
    close();
    command.run(store.getState());
  };
  return (
    <Modal isOpen={open} onClose={close} variant="small" position="top" aria-labelledby="ferry-palette-title">
      <ModalHeader title="Command palette" labelId="ferry-palette-title" />
      <ModalBody>
        <SearchInput
          aria-label="Command"
          placeholder="Type a command"
          value={query}
          autoFocus
          onChange={(_e, value) => {
            setQuery(value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, matches.length - 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
            else if (e.key === 'Enter') run(matches[active]);
            else return;
            e.preventDefault();
          }}
        />
        <Menu isPlain aria-label="Commands" onSelect={(_e, id) => run(matches.find((c) => c.id === id))}>
          <MenuContent>
            <MenuList>
              {matches.length === 0 ? (
                <MenuItem isDisabled>No command matches</MenuItem>
              ) : (
                matches.map((c, i) => (
                  <MenuItem key={c.id} itemId={c.id} isFocused={i === active} description={c.keys}>
                    {c.title}
                  </MenuItem>
                ))
              )}
            </MenuList>
          </MenuContent>
        </Menu>
      </ModalBody>
    </Modal>
  );
}
