import { watch } from 'vue';
import type { Workflow } from '@/api/types';
import { useAuthStore } from '@/modules/auth/store';
import { workflowsTopic, type WorkflowEvents } from '@/realtime/topics';
import { useChannel } from '@/realtime/useChannel';
import { useApprovalsStore } from './approvals';
import { useWorkflowsStore } from './store';

/**
 * Follows `workflows:{tenant_id}` for the whole signed-in app (the shell calls it once: one
 * socket joins a topic once, so screens read the stores rather than joining themselves).
 * Every event goes to the workflows store; for those who approve, the approvals inbox (and
 * so the menu badge) is loaded at once and reloaded when a workflow with an approval changes,
 * and after a rejoin, which may have missed events.
 */
export function useWorkflowsLive() {
  const auth = useAuthStore();
  const workflows = useWorkflowsStore();
  const approvals = useApprovalsStore();
  const approves = () => auth.can('workflows.approve');

  const channel = useChannel<WorkflowEvents>(() =>
    auth.tenant && auth.can('workflows.read') ? workflowsTopic(auth.tenant.id) : null,
  );

  const refreshInbox = (workflow: Workflow) => {
    if (approves() && workflow.steps.some((step) => step.kind === 'approval')) void approvals.load();
  };
  channel.on('workflow_opened', (payload) => {
    workflows.receive('workflow_opened', payload);
    refreshInbox(payload.workflow);
  });
  channel.on('workflow_updated', (payload) => {
    workflows.receive('workflow_updated', payload);
    refreshInbox(payload.workflow);
  });
  channel.on('template_updated', (payload) => workflows.receive('template_updated', payload));

  watch(
    [() => auth.user?.id, approves],
    ([user, may]) => {
      if (user && may) void approvals.load();
    },
    { immediate: true },
  );
  channel.onRejoin(() => {
    if (approves() && approvals.loaded) void approvals.load();
  });

  return channel;
}
