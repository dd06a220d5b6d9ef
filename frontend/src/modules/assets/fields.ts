import type { CreateAsset } from '@/api/types';

/**
 * What the asset screens call each field of an asset: the form's labels, which the history
 * and the audit log use for a change too. A field added to the contract fails the build until
 * it is named here.
 */
export const assetFieldLabels: Readonly<Record<keyof CreateAsset | 'due_at', string>> = {
  name: 'Name',
  tag: 'Asset tag',
  serial_number: 'Serial number',
  status: 'Status',
  category_id: 'Category',
  model_id: 'Model',
  location_id: 'Location',
  purchase_date: 'Purchase date',
  cost: 'Cost',
  supplier: 'Supplier',
  order_number: 'Order number',
  warranty_end: 'Warranty ends',
  notes: 'Notes',
  custom_fields: 'Custom fields',
  /** Set by a check-out (its dialog's "Due back"). */
  due_at: 'Due back',
};
