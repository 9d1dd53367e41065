import { Button, Form, Modal, ModalBody, ModalFooter, ModalHeader, TextInput } from '@patternfly/react-core';
import { type ReactNode, useState } from 'react';

import { shown } from '../../components/text.js';
import type { PasswordNeededEvent } from '../../../src/contract/procedures.js';
import { useFerry } from '../../store/index.js';

/**
 * A host needs a password (its cluster file says askPassword: true): asked here, sent once to the
 * main process, which keeps it in memory only. The typed text lives in this dialog's state until
 * it is sent, never in the store.
 */
export function PasswordDialog(): ReactNode {
  const request = useFerry((s) => s.passwordRequests[0]);
  if (!request) return null;
  return <PasswordModal key={request.promptId} request={request} />;
}

function PasswordModal({ request }: { readonly request: PasswordNeededEvent }): ReactNode {
  const answer = useFerry((s) => s.answerPassword);
  const [password, setPassword] = useState('');
  const titleId = `password-${request.promptId}`;
  const send = (value: string | null): void => {
    setPassword('');
    void answer(request.promptId, value);
  };
  return (
    <Modal isOpen variant="small" onClose={() => send(null)} aria-labelledby={titleId}>
      <ModalHeader title={`Password for ${shown(request.user)}@${shown(request.host)}`} labelId={titleId} description={`Host ${shown(request.label)}: its cluster file asks for a password. Ferry keeps it in memory until it exits, and never shows it again.`} />
      <ModalBody>
        <Form
          id={`${titleId}-form`}
          onSubmit={(e) => {
            e.preventDefault();
            if (password !== '') send(password);
          }}
        >
          <TextInput type="password" aria-label="Password" autoComplete="off" autoFocus value={password} onChange={(_e, v) => setPassword(v)} />
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form={`${titleId}-form`} variant="primary" isDisabled={password === ''}>
          Log in
        </Button>
        <Button variant="link" onClick={() => send(null)}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
