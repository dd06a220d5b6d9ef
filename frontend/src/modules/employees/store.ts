import { defineStore } from 'pinia';
import { reactive } from 'vue';
import type { EmployeeFilters } from './api';

const defaultFilters = (): EmployeeFilters => ({ q: '', status: 'active' });

/** What the employee screens keep between visits: the list's filters. */
export const useEmployeesStore = defineStore('employees', () => {
  const filters = reactive<EmployeeFilters>(defaultFilters());

  function $reset(): void {
    Object.assign(filters, defaultFilters());
  }

  return { filters, $reset };
});
